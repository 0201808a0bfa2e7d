"""Spark's marts into a DuckDB file, and the comparison of two builds' marts.

On Spark the marts live in the Spark catalog; the serving side (quality suites, the
release, the dashboard, MetricFlow) reads DuckDB files. export_schema copies every table
of a Spark schema into a DuckDB database (through Arrow), so the same readers work on
Spark's output; compare_tables checks that two DuckDB databases hold the same marts
(`make test-spark`: Spark's build against DuckDB's on the same landing).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

# What the serving side reads of a build, besides the loader's raw tables (which stay in
# DuckDB): the published schemas (the release: marts, pii) and the staging tables the
# quality suites read (orchestration/quality/suites.py; tests/test_spark.py checks the
# list against the suites' SQL). The dbt models' other tables stay in Spark.
EXPORTED_SCHEMAS = ("marts", "pii")
CHECKED_TABLES = (("staging", "stg_crm__orders"), ("staging", "stg_crm__customers"))


def exported(schema: str, name: str) -> bool:
    """Whether the table schema.name of a Spark build is copied into the DuckDB warehouse."""
    return schema in EXPORTED_SCHEMAS or (schema, name) in CHECKED_TABLES


def export_tables(session, tables: list[tuple[str, str]], con: duckdb.DuckDBPyConnection) -> None:
    """Copy the Spark tables (schema, name) into the DuckDB tables of the same names on
    `con` (replacing them), through Arrow. Spark's timestamps (UTC session) become naive
    timestamps, as the warehouse stores them."""
    for schema, name in tables:
        con.execute(f"create schema if not exists {schema}")
        table = session.table(f"{schema}.{name}").toArrow()
        con.register("spark_table", table)
        columns = []
        for field in table.schema:
            quoted = '"' + field.name.replace('"', '""') + '"'
            if str(field.type).startswith("timestamp[") and "tz=" in str(field.type):
                columns.append(f"timezone('UTC', {quoted}) as {quoted}")
            else:
                columns.append(quoted)
        con.execute(
            f"create or replace table {schema}.{name} as "
            f"select {', '.join(columns)} from spark_table"
        )
        con.unregister("spark_table")


def export_schema(session, schema: str, con: duckdb.DuckDBPyConnection) -> list[str]:
    """Copy every table of the Spark `schema` into the DuckDB schema of the same name on
    `con` (export_tables). Returns the table names copied."""
    con.execute(f"create schema if not exists {schema}")
    names = sorted(row.tableName for row in session.sql(f"show tables in {schema}").collect())
    export_tables(session, [(schema, name) for name in names], con)
    return names


@dataclass(frozen=True)
class TableDifference:
    table: str
    problem: str


def _equal(left, right, rel_tol: float) -> bool:
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        if math.isnan(left) and math.isnan(right):
            return True
        return math.isclose(float(left), float(right), rel_tol=rel_tol, abs_tol=0.0)
    return left == right


# Columns that say when a build ran, not what it computed: two builds of the same landing
# differ there by nature, so compare_tables leaves them out.
RUN_TIME_COLUMNS = {"clv_model_parameters": ("fitted_at",)}


def compare_tables(
    expected: Path,
    actual: Path,
    schema: str = "marts",
    rel_tol: float = 1e-9,
    ignore: Mapping[str, Sequence[str]] = RUN_TIME_COLUMNS,
    tables: Sequence[str] | None = None,
) -> list[TableDifference]:
    """Every table of `schema` in the DuckDB file `expected` against the same table in
    `actual`: same columns, same rows (as multisets), floating point numbers equal to
    `rel_tol` relative; the columns `ignore` names per table (default the run times,
    RUN_TIME_COLUMNS) are not compared; `tables` limits the comparison to those tables.
    Returns the differences (empty: the same marts)."""
    differences: list[TableDifference] = []
    con = duckdb.connect()
    con.execute(f"attach '{expected}' as expected (read_only)")
    con.execute(f"attach '{actual}' as actual (read_only)")

    def tables_of(db: str) -> set[str]:
        return {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = ? and table_schema = ?",
                [db, schema],
            ).fetchall()
        }

    expected_tables, actual_tables = tables_of("expected"), tables_of("actual")
    if tables is not None:
        expected_tables &= set(tables)
        actual_tables &= set(tables)
    for missing in sorted(expected_tables - actual_tables):
        differences.append(TableDifference(missing, "missing from the build compared"))
    for table in sorted(expected_tables & actual_tables):
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns where table_catalog = "
                "'expected' and table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
        ]
        actual_columns = [
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns where table_catalog = "
                "'actual' and table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
        ]
        if sorted(columns) != sorted(actual_columns):
            differences.append(
                TableDifference(table, f"columns {columns} against {actual_columns}")
            )
            continue
        compared = [c for c in columns if c not in ignore.get(table, ())]
        select = ", ".join(f'"{c}"' for c in compared)
        order = ", ".join(f'"{c}" nulls first' for c in compared)
        rows = {
            db: con.execute(
                f"select {select} from {db}.{schema}.{table} order by {order}"
            ).fetchall()
            for db in ("expected", "actual")
        }
        if len(rows["expected"]) != len(rows["actual"]):
            differences.append(
                TableDifference(
                    table, f"{len(rows['expected'])} rows against {len(rows['actual'])}"
                )
            )
            continue
        for number, (left, right) in enumerate(zip(rows["expected"], rows["actual"], strict=True)):
            if not all(_equal(a, b, rel_tol) for a, b in zip(left, right, strict=True)):
                differences.append(
                    TableDifference(table, f"row {number} (sorted): {left} against {right}")
                )
                break
    con.close()
    return differences


def main(argv: list[str] | None = None) -> int:
    """`python -m orchestration.spark_export OUT.duckdb [SCHEMA ...]`: Spark's tables of
    the schemas (default marts) into the DuckDB file OUT."""
    import sys

    from .spark_dbt import start_session

    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(main.__doc__, file=sys.stderr)
        return 2
    out, schemas = Path(args[0]), args[1:] or ["marts"]
    session = start_session()
    con = duckdb.connect(str(out))
    for schema in schemas:
        names = export_schema(session, schema, con)
        print(f"{schema}: {len(names)} tables")
    con.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
