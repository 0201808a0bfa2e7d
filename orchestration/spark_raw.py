"""The raw zone for Spark: the loader's raw tables as Parquet, partitioned by load batch.

The loader writes the raw tables into DuckDB (landing contract, unchanged); when the
engine is Spark (CXW_ENGINE=spark) the run then writes each raw table to
<raw_dir>/<table>/_batch_id=<batch>/*.parquet (Hive-style partitions), and the dbt
target `spark` registers those folders as the tables of the `raw` schema (macro
register_raw_sources) before it builds. On DuckDB nothing here runs, so the DuckDB path
is not slowed.

Each export rewrites the whole table (DuckDB's COPY ... PARTITION_BY, OVERWRITE): rows
that were erased from raw (`cxw forget`) or quarantined later are gone from the Parquet
copy as well, which an append of the new batches only would not guarantee.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import duckdb

from .config import engine_setting

# The loader's tables the models read as sources (models/staging/*/_*__sources.yml).
RAW_TABLES = (
    "crm_customers",
    "crm_orders",
    "crm_tickets",
    "web_events",
    "survey_responses",
    "load_log",
    "quarantine",
)


def spark_engine(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the run writes the raw zone: CXW_ENGINE=spark (default duckdb; another value
    is a ValueError naming the engines), or CXW_SPARK_RAW_ZONE=true to write it for a Spark
    cluster that builds elsewhere."""
    env = os.environ if environ is None else environ
    flag = env.get("CXW_SPARK_RAW_ZONE", "").strip().lower() in ("1", "true", "yes")
    return engine_setting(env) == "spark" or flag


def export_raw_parquet(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> dict[str, int]:
    """Write every raw table of `con` (a connection to the warehouse file) to
    raw_dir/<table>/, partitioned by its batch column (`_batch_id`; `batch_id` in
    load_log and quarantine). Returns {table: rows written}.

    Raises duckdb.CatalogException when a raw table is missing (the loader has not run)."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    for table in RAW_TABLES:
        columns = {row[0] for row in con.execute(f"describe raw.{table}").fetchall()}
        batch_column = "_batch_id" if "_batch_id" in columns else "batch_id"
        target = raw_dir / table
        rows = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
        shutil.rmtree(target, ignore_errors=True)
        if rows:
            con.execute(
                f"copy (select * from raw.{table}) to '{_sql_path(target)}' "
                f"(format parquet, partition_by ({batch_column}))"
            )
        else:  # no partition to write: one empty file keeps the folder and its schema
            target.mkdir(parents=True)
            con.execute(
                f"copy (select * from raw.{table}) to '{_sql_path(target / 'empty.parquet')}' "
                "(format parquet)"
            )
        written[table] = rows
    return written


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
