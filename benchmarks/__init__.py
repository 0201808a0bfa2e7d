"""The CX Warehouse benchmark: the pipeline against a hand-written DuckDB floor (`make bench`)."""
