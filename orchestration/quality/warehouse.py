"""Read-only DuckDB connections for the checks (the same settings for every file, so the
warehouse and the last release may even be the same file)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..config import settings


def connect_read_only(database: Path) -> duckdb.DuckDBPyConnection:
    database = Path(database)
    if not database.exists():
        raise FileNotFoundError(f"DuckDB file {database} does not exist: run the pipeline first")
    s = settings()
    return s.connect_duckdb(database, read_only=True)
