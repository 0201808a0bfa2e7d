{#-
    Registers the loader's raw tables where the engine reads them from files: on Spark,
    each source of the `raw` schema becomes an external Parquet table over
    <CXW_SPARK_RAW_DIR>/<table> (written by orchestration/spark_raw.py, partitioned by
    load batch), replaced on every run so new batches are seen. On DuckDB the loader's
    tables are the sources themselves: nothing to do. Called by on-run-start.
-#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources', 'cx_warehouse')()) }}
{%- endmacro %}
