"""Apache Spark: the raw zone, the mart comparison, and (make test-spark) the whole sample
built on Spark in local mode against the DuckDB build of the same landing.

The first tests are fast and need no Java: they run in the default suite. The last one
starts Spark (Java, pyspark: `make spark-setup`) and runs only under `make test-spark`
(CXW_TEST_SPARK=1).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.spark_export import compare_tables
from orchestration.spark_raw import RAW_TABLES, export_raw_parquet, spark_engine
from tests.conftest import REPO, cxw_env, run_cxw


def _raw_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A warehouse with the raw tables' lineage columns: two batches of web events, the
    other tables empty (their folder must still be readable)."""
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    for table in RAW_TABLES:
        batch = "batch_id" if table in ("load_log", "quarantine") else "_batch_id"
        con.execute(f"create table raw.{table} (id integer, note varchar, {batch} varchar)")
    con.execute(
        "insert into raw.web_events values (1, 'a', 'web-1'), (2, null, 'web-1'), (3, 'c', 'web-2')"
    )
    return con


def test_raw_zone_is_parquet_partitioned_by_load_batch(tmp_path: Path) -> None:
    con = _raw_warehouse(tmp_path / "cx.duckdb")
    written = export_raw_parquet(con, tmp_path / "raw")
    # by hand: web_events holds 3 rows in batches web-1 (2 rows) and web-2 (1 row)
    assert written["web_events"] == 3 and written["crm_orders"] == 0
    folders = sorted(p.name for p in (tmp_path / "raw" / "web_events").iterdir())
    assert folders == ["_batch_id=web-1", "_batch_id=web-2"]
    rows = con.execute(
        f"select id, note, _batch_id from read_parquet('{tmp_path}/raw/web_events/*/*.parquet', "
        "hive_partitioning = true) order by id"
    ).fetchall()
    assert rows == [(1, "a", "web-1"), (2, None, "web-1"), (3, "c", "web-2")]
    # an empty table keeps a readable folder with its columns
    empty = con.execute(f"select * from read_parquet('{tmp_path}/raw/crm_orders/*.parquet')")
    assert [d[0] for d in empty.description] == ["id", "note", "_batch_id"]


def test_raw_zone_export_rewrites_what_raw_no_longer_holds(tmp_path: Path) -> None:
    # a batch deleted from raw (e.g. erased) must not stay in the Parquet copy
    con = _raw_warehouse(tmp_path / "cx.duckdb")
    export_raw_parquet(con, tmp_path / "raw")
    con.execute("delete from raw.web_events where _batch_id = 'web-2'")
    export_raw_parquet(con, tmp_path / "raw")
    folders = sorted(p.name for p in (tmp_path / "raw" / "web_events").iterdir())
    assert folders == ["_batch_id=web-1"]


def test_engine_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CXW_ENGINE", raising=False)
    monkeypatch.delenv("CXW_SPARK_RAW_ZONE", raising=False)
    assert spark_engine() is False
    monkeypatch.setenv("CXW_ENGINE", "Spark")
    assert spark_engine() is True
    monkeypatch.setenv("CXW_ENGINE", "postgres")
    with pytest.raises(ValueError, match="CXW_ENGINE='postgres'"):
        spark_engine()


def _marts(path: Path, values: list[tuple]) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.kpi (name varchar, value double, n bigint)")
    con.executemany("insert into marts.kpi values (?, ?, ?)", values)
    con.close()
    return path


def test_compare_tables_tolerates_1e_9_relative_only(tmp_path: Path) -> None:
    expected = _marts(tmp_path / "a.duckdb", [("nps", 42.0, 10), ("csat", None, 3)])
    # rows in another order, 42 * (1 + 1e-12): equal
    same = _marts(tmp_path / "b.duckdb", [("csat", None, 3), ("nps", 42.000000000042, 10)])
    assert compare_tables(expected, same) == []
    # 42 * (1 + 1e-8) is beyond 1e-9 relative
    off = _marts(tmp_path / "c.duckdb", [("nps", 42.00000042, 10), ("csat", None, 3)])
    assert [d.table for d in compare_tables(expected, off)] == ["kpi"]
    # a missing row, a NULL for a number
    short = _marts(tmp_path / "d.duckdb", [("nps", 42.0, 10)])
    assert "2 rows against 1" in compare_tables(expected, short)[0].problem
    nulls = _marts(tmp_path / "e.duckdb", [("nps", 42.0, 10), ("csat", 0.0, 3)])
    assert compare_tables(expected, nulls)[0].table == "kpi"


# The CLV fit (BG/NBD, Gamma-Gamma) is Python, run by the Dagster asset clv_fit between two
# dbt steps (tests/test_spark_engine.py covers it on Spark); a plain dbt build on Spark has
# no fit to read, so it leaves out the two marts that publish the fit, and the comparison
# leaves them out. The summary the fit reads (int_clv__customer_summary) is compared through
# every other mart built from the same intermediates.
CLV_MARTS = ("clv_model_parameters", "clv_predictions")


@pytest.mark.skipif(
    os.environ.get("CXW_TEST_SPARK") != "1", reason="builds on Spark: make test-spark"
)
def test_spark_build_equals_duckdb_build(sample_dir: Path, tmp_path: Path) -> None:
    """The sample on DuckDB (cxw run, which also writes the raw zone) and on Spark local
    mode from that raw zone: every table of the published marts the same (but the CLV
    fit's, above)."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "landing").symlink_to(sample_dir / "landing")
    env = cxw_env(data_dir, CXW_SPARK_RAW_ZONE="true")
    result = run_cxw("run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    spark = subprocess.run(
        [sys.executable, "-m", "orchestration.spark_dbt", "build", "--project-dir", ".",
         "--profiles-dir", ".", "--target-path", str(data_dir / "spark_target"),
         "--exclude", *CLV_MARTS],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert spark.returncode == 0, spark.stdout[-20000:]
    exported = data_dir / "spark_marts.duckdb"
    export = subprocess.run(
        [sys.executable, "-m", "orchestration.spark_export", str(exported)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert export.returncode == 0, export.stdout + export.stderr
    differences = [
        difference
        for difference in compare_tables(data_dir / "serving" / "cx.duckdb", exported)
        if difference.table not in CLV_MARTS
    ]
    assert differences == [], "\n".join(f"{d.table}: {d.problem}" for d in differences)
