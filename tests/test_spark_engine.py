"""CXW_ENGINE: the setting, the dbt that builds on each engine, the CLV fit outside dbt,
what a Spark build copies back for the checks and the publish, and (make test-spark) a
whole `cxw run` on Spark whose release has DuckDB's KPI scorecard.

The tests are fast and need no Java, except those marked as tests/test_spark.py marks
its own: they start Spark (`make spark-setup`) and run only under `make test-spark`
(CXW_TEST_SPARK=1).
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.config import REPO_ROOT, settings
from tests.conftest import cxw_env, run_cxw

needs_spark = pytest.mark.skipif(
    os.environ.get("CXW_TEST_SPARK") != "1", reason="builds on Spark: make test-spark"
)


# ------------------------------------------------------------------------- the setting


def test_engine_defaults_to_duckdb_and_reads_spark_in_any_case() -> None:
    assert settings({}).engine == "duckdb"
    assert settings({}).spark is False
    spark = settings({"CXW_ENGINE": " Spark ", "CXW_DATA_DIR": "/srv/cx"})
    assert (spark.engine, spark.spark) == ("spark", True)
    # the Spark folders follow the data folder unless set
    assert spark.spark_home == Path("/srv/cx/spark")
    assert spark.spark_raw_zone == Path("/srv/cx/spark/raw")
    cluster = settings(
        {
            "CXW_ENGINE": "spark",
            "CXW_SPARK_MASTER": "spark://head:7077",
            "CXW_SPARK_DIR": "/mnt/lake/cx",
            "CXW_SPARK_SHUFFLE_PARTITIONS": "200",
        }
    )
    assert cluster.spark_master == "spark://head:7077"
    assert cluster.spark_shuffle_partitions == 200
    assert cluster.spark_raw_zone == Path("/mnt/lake/cx/raw")


def test_unknown_engine_is_an_error_naming_the_engines() -> None:
    with pytest.raises(ValueError) as error:
        settings({"CXW_ENGINE": "postgres"})
    assert str(error.value) == (
        "CXW_ENGINE='postgres' is not an engine: the engines are duckdb and spark (default duckdb)"
    )


def test_cxw_run_with_an_unknown_engine_stops_before_anything_runs(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    result = run_cxw("run", env=cxw_env(tmp_path, CXW_ENGINE="snowflake"), timeout=300)
    assert result.returncode == 2
    assert "CXW_ENGINE='snowflake' is not an engine: the engines are duckdb and spark" in (
        result.stderr
    )
    assert not (tmp_path / "warehouse").exists()


def test_warehouse_resource_takes_the_engine_from_a_field_or_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dagster import build_sensor_context

    from orchestration.resources import WarehouseResource

    monkeypatch.delenv("CXW_ENGINE", raising=False)
    assert WarehouseResource().settings.engine == "duckdb"
    assert WarehouseResource(engine="spark", spark_master="local[1]").settings.spark_master == (
        "local[1]"
    )
    monkeypatch.setenv("CXW_ENGINE", "spark")
    monkeypatch.setenv("CXW_SPARK_DRIVER_MEMORY", "3g")
    bound = WarehouseResource.from_environment()
    with build_sensor_context(resources={"warehouse": bound}) as context:
        s = context.resources.warehouse.settings
    assert (s.engine, s.spark_driver_memory) == ("spark", "3g")
    with pytest.raises(ValueError, match="the engines are duckdb and spark"):
        _ = WarehouseResource(engine="oracle").settings


def test_each_engine_has_its_dbt(monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB: the dbt resource as it is. Spark: the project's dbt-spark script (an
    executable file, which dagster-dbt checks) with the target `spark`."""
    from orchestration.resources import SPARK_DBT_EXECUTABLE, dbt_resource, engine_dbt

    dbt = dbt_resource()
    assert engine_dbt(dbt, settings({})) is dbt
    spark = engine_dbt(dbt, settings({"CXW_ENGINE": "spark"}))
    assert (spark.dbt_executable, spark.target) == (SPARK_DBT_EXECUTABLE, "spark")
    assert os.access(SPARK_DBT_EXECUTABLE, os.X_OK)
    assert spark.project_dir == dbt.project_dir


def test_spark_session_settings_come_from_the_settings(tmp_path: Path) -> None:
    from orchestration.spark_dbt import spark_conf

    s = settings(
        {
            "CXW_DATA_DIR": str(tmp_path),
            "CXW_SPARK_MASTER": "spark://head:7077",
            "CXW_SPARK_DRIVER_MEMORY": "8g",
        }
    )
    conf = spark_conf(s=s)
    assert conf["spark.master"] == "spark://head:7077"
    assert conf["spark.driver.memory"] == "8g"
    assert conf["spark.sql.shuffle.partitions"] == "4"
    assert conf["spark.sql.warehouse.dir"] == str(tmp_path / "spark" / "warehouse")
    # a cluster's own settings (CXW_SPARK_CONF) are added and win
    cluster = settings(
        {
            "CXW_DATA_DIR": str(tmp_path),
            "CXW_SPARK_CONF": "spark.executor.memory=8g; "
            "spark.sql.warehouse.dir=hdfs://nn/warehouse;",
        }
    )
    conf = spark_conf(s=cluster)
    assert conf["spark.executor.memory"] == "8g"
    assert conf["spark.sql.warehouse.dir"] == "hdfs://nn/warehouse"
    with pytest.raises(ValueError, match=r"'executor\.memory=8g' is not a Spark setting"):
        settings({"CXW_SPARK_CONF": "executor.memory=8g"})


# ---------------------------------------------------------- the job: one graph, in order


def test_job_runs_dbt_then_the_clv_fit_then_the_clv_marts() -> None:
    """ingest → dbt (all but the CLV marts) → CLV fit → dbt (the CLV marts) → publish:
    the fit's tables are the dbt source clv_fit, so the two dbt steps meet the asset."""
    from dagster import AssetKey

    from orchestration.assets.clv import clv_fit
    from orchestration.assets.dbt import cx_dbt_clv_marts, cx_dbt_models
    from orchestration.definitions import defs

    parameters = AssetKey(["intermediate", "int_clv__model_parameters"])
    predictions = AssetKey(["intermediate", "int_clv__predictions"])
    assert set(clv_fit.keys) == {parameters, predictions}
    assert {k.path[-1] for k in cx_dbt_clv_marts.keys} == {
        "clv_model_parameters",
        "clv_predictions",
    }
    assert not set(cx_dbt_models.keys) & (set(cx_dbt_clv_marts.keys) | set(clv_fit.keys))
    assert parameters in cx_dbt_clv_marts.asset_deps[AssetKey(["marts", "clv_model_parameters"])]
    summary = AssetKey(["intermediate", "int_clv__customer_summary"])
    assert summary in cx_dbt_models.keys and summary in clv_fit.asset_deps[parameters]
    graph = defs.resolve_asset_graph()
    job = defs.resolve_job_def("cx_warehouse")
    steps = {node.name for node in job.graph.nodes}
    assert {"ingest_landing", "cx_dbt_models", "clv_fit", "cx_dbt_clv_marts"} <= steps
    serving_upstream = graph.get(AssetKey(["serving", "release"])).parent_keys
    assert AssetKey(["marts", "clv_predictions"]) in serving_upstream


# ------------------------------------------------------- the CLV fit, outside dbt


def _summary_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """Two customers: A with one repeat purchase day (40.0), B with a single purchase;
    as_of 10 Feb 2024 12:00."""
    con = duckdb.connect(str(path))
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_kpi__as_of as "
        "select timestamp '2024-02-10 12:00:00' as as_of_at"
    )
    con.execute(
        "create table intermediate.int_clv__customer_summary as select * from (values "
        "('A', date '2024-01-01', date '2024-01-11', 1, 10.0, 40.0, 40.0, "
        "timestamp '2024-02-10 12:00:00'), "
        "('B', date '2024-02-10', date '2024-02-10', 0, 0.0, 0.0, null, "
        "timestamp '2024-02-10 12:00:00')"
        ") t(customer_key, first_purchase_date, last_purchase_date, frequency, recency, t, "
        "monetary_value, calibration_end)"
    )
    con.execute(
        "create or replace table intermediate.int_clv__customer_summary as select "
        "customer_key, first_purchase_date, last_purchase_date, "
        "cast(frequency as integer) as frequency, cast(recency as double) as recency, "
        "cast(t as double) as t, cast(monetary_value as double) as monetary_value, "
        "calibration_end from intermediate.int_clv__customer_summary"
    )
    return con


FIT = {"time_unit": "day", "min_customers": 40, "min_repeat_customers": 30, "horizon_months": 12}


def test_clv_fit_on_duckdb_writes_both_tables_with_the_published_types(tmp_path: Path) -> None:
    """Two customers are fewer than the 40 (BG/NBD) and the 30 repeat customers
    (Gamma-Gamma) a fit needs: seven NULL parameters with the reasons, and predictions
    NULL for both customers with both reasons."""
    from orchestration.assets.clv import fit_on_duckdb

    con = _summary_warehouse(tmp_path / "cx.duckdb")
    assert fit_on_duckdb(con, FIT) == (7, 2)
    parameters = con.execute(
        "select model, parameter, value, time_unit, customers, calibration_end, "
        "not_fitted_reason from intermediate.int_clv__model_parameters "
        "order by model, parameter"
    ).fetchall()
    bgnbd = (
        "2 customer(s) with a purchase, fewer than the 40 the fit needs (dbt var clv_min_customers)"
    )
    gamma = (
        "1 customer(s) with a repeat purchase, fewer than the 30 the fit needs "
        "(dbt var clv_min_repeat_customers)"
    )
    as_of = datetime(2024, 2, 10, 12)
    assert parameters == [
        ("bg_nbd", name, None, "day", 2, as_of, bgnbd) for name in ("a", "alpha", "b", "r")
    ] + [("gamma_gamma", name, None, "day", 1, as_of, gamma) for name in ("p", "q", "v")]
    predictions = con.execute(
        "select customer_key, frequency, recency, t, monetary_value, probability_alive, "
        "expected_value, horizon_months, not_fitted_reason "
        "from intermediate.int_clv__predictions order by customer_key"
    ).fetchall()
    reason = f"bg_nbd not fitted: {bgnbd}; gamma_gamma not fitted: {gamma}"
    assert predictions == [
        ("A", 1, 10.0, 40.0, 40.0, None, None, 12, reason),
        ("B", 0, 0.0, 0.0, None, None, None, 12, reason),
    ]
    # the column types the dbt Python models published (the marts cast them anyway)
    types = dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'int_clv__model_parameters'"
        ).fetchall()
    )
    assert types == {
        "model": "VARCHAR",
        "parameter": "VARCHAR",
        "value": "DOUBLE",
        "time_unit": "VARCHAR",
        "customers": "BIGINT",
        "calibration_end": "TIMESTAMP",
        "fitted_at": "TIMESTAMP",
        "not_fitted_reason": "VARCHAR",
    }
    con.close()


def test_clv_fit_settings_are_the_dbt_vars() -> None:
    """The source's meta in dbt's manifest carry the vars of dbt_project.yml."""
    import yaml

    from orchestration.assets.clv import fit_settings
    from orchestration.resources import dbt_project

    dbt_project.prepare_if_dev()
    variables = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"]
    assert fit_settings() == {
        "time_unit": variables["clv_time_unit"],
        "min_customers": variables["clv_min_customers"],
        "min_repeat_customers": variables["clv_min_repeat_customers"],
        "horizon_months": variables["clv_horizon_months"],
    }


def test_clv_frames_go_to_spark_with_nulls_and_utc_instants() -> None:
    """What the Spark side writes: NaN and NA are NULL (as on DuckDB), strings are
    Arrow strings, naive UTC timestamps become UTC instants and come back naive."""
    import pyarrow as pa

    from orchestration.spark_clv import from_arrow, to_arrow

    frame = pd.DataFrame(
        {
            "model": pd.Series(["bg_nbd", None], dtype="string"),
            "value": [0.25, float("nan")],
            "customers": pd.Series([3, 4], dtype="int64"),
            "calibration_end": pd.Series(
                [datetime(2024, 2, 10, 12), datetime(2024, 2, 10, 12)], dtype="datetime64[us]"
            ),
        }
    )
    table = to_arrow(frame)
    assert table.schema.field("model").type == pa.string()
    assert table.schema.field("calibration_end").type == pa.timestamp("us", tz="UTC")
    assert table.column("value").to_pylist() == [0.25, None]
    assert table.column("model").to_pylist() == ["bg_nbd", None]
    # 12:00 naive is 12:00 UTC: 1 707 566 400 s since the epoch
    assert table.column("calibration_end").cast(pa.int64()).to_pylist()[0] == 1_707_566_400 * 10**6
    back = from_arrow(table)
    assert back["calibration_end"].iloc[0] == pd.Timestamp("2024-02-10 12:00")
    assert back["calibration_end"].dt.tz is None


# ------------------------------------------------- what a Spark build copies back


def test_spark_build_copies_back_what_the_checks_and_the_publish_read() -> None:
    """Every table the quality suites name outside raw and the published schemas is in
    the export list (raw is the loader's DuckDB; marts and pii are exported whole)."""
    from orchestration.spark_export import EXPORTED_SCHEMAS, exported

    source = "\n".join(
        path.read_text() for path in (REPO_ROOT / "orchestration" / "quality").glob("*.py")
    )
    named = set(re.findall(r"\b(staging|intermediate|seeds)\.(\w+)", source))
    assert named, "the suites name staging tables: the pattern must find them"
    assert all(exported(schema, table) for schema, table in named), named
    assert exported("marts", "kpi_scorecard") and "pii" in EXPORTED_SCHEMAS
    assert not exported("staging", "stg_web__events")


def test_compare_tables_leaves_out_the_fit_time_and_can_take_one_table(tmp_path: Path) -> None:
    from orchestration.spark_export import compare_tables

    def marts(path: Path, fitted_at: str, nps: float) -> Path:
        con = duckdb.connect(str(path))
        con.execute("create schema marts")
        con.execute(
            "create table marts.clv_model_parameters as select 'r' as parameter, "
            f"0.5 as value, timestamp '{fitted_at}' as fitted_at"
        )
        con.execute(f"create table marts.kpi_scorecard as select 'nps' as kpi, {nps} as value")
        con.close()
        return path

    first = marts(tmp_path / "a.duckdb", "2026-01-01 10:00:00", 42.0)
    second = marts(tmp_path / "b.duckdb", "2026-01-02 11:00:00", 41.0)
    differences = compare_tables(first, second)
    assert [d.table for d in differences] == ["kpi_scorecard"]
    assert compare_tables(first, second, tables=["clv_model_parameters"]) == []


# ------------------------------------------------------------- on Spark (make test-spark)


def _scorecard(serving: Path) -> list[tuple]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return con.execute("select * from marts.kpi_scorecard").fetchall()
    finally:
        con.close()


@needs_spark
def test_cxw_run_on_spark_publishes_duckdbs_scorecard(
    sample_dir: Path, pipeline_dir: Path, tmp_path: Path
) -> None:
    """CXW_ENGINE=spark: `cxw run` builds the sample on Spark in local mode, the checks
    and the publish read what it copied back, and the release's kpi_scorecard is the
    DuckDB run's (numbers to 1e-9 relative)."""
    from orchestration.spark_export import compare_tables

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    shutil.copytree(sample_dir / "landing", data_dir / "landing")
    env = cxw_env(data_dir, CXW_ENGINE="spark", CXW_SPARK_MASTER="local[2]")
    result = run_cxw("run", "--json", env=env, timeout=3600)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    assert '"status": "ok"' in result.stdout
    serving = data_dir / "serving" / "cx.duckdb"
    assert serving.exists()
    # Spark built the marts: its catalog holds them, and the raw zone was written
    assert (data_dir / "spark" / "warehouse").exists()
    assert (data_dir / "spark" / "raw" / "crm_orders").exists()
    differences = compare_tables(
        pipeline_dir / "serving" / "cx.duckdb", serving, tables=["kpi_scorecard"]
    )
    assert differences == [], "\n".join(f"{d.table}: {d.problem}" for d in differences)
    assert len(_scorecard(serving)) == len(_scorecard(pipeline_dir / "serving" / "cx.duckdb"))


SPARK_CLV_SCRIPT = """
import json, sys
import duckdb
from orchestration.spark_dbt import start_session
from orchestration import spark_clv
from orchestration.spark_export import export_tables

parquet, out, fit = sys.argv[1], sys.argv[2], sys.argv[3]
session = start_session()
session.sql("create schema if not exists intermediate")
for table in ("int_clv__customer_summary", "int_kpi__as_of"):
    session.read.parquet(f"{parquet}/{table}.parquet").write.mode("overwrite").saveAsTable(
        f"intermediate.{table}"
    )
spark_clv.main([fit])
con = duckdb.connect(out)
export_tables(
    session,
    [("intermediate", "int_clv__model_parameters"), ("intermediate", "int_clv__predictions")],
    con,
)
con.close()
"""


@needs_spark
def test_clv_fit_on_spark_writes_the_bits_duckdb_writes(pipeline_dir: Path, tmp_path: Path):
    """The sample's customer summary in Spark's catalog: orchestration.spark_clv writes
    the same parameters and predictions as the DuckDB run did, bit for bit (the fit time
    aside)."""
    import json
    import subprocess
    import sys

    from orchestration.assets.clv import fit_settings

    warehouse = pipeline_dir / "warehouse" / "cx.duckdb"
    con = duckdb.connect(str(warehouse), read_only=True)
    for table in ("int_clv__customer_summary", "int_kpi__as_of"):
        con.execute(f"copy intermediate.{table} to '{tmp_path / table}.parquet' (format parquet)")
    con.close()
    script = tmp_path / "spark_clv_check.py"
    script.write_text(SPARK_CLV_SCRIPT)
    out = tmp_path / "spark_clv.duckdb"
    env = cxw_env(tmp_path / "data", PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path), str(out), json.dumps(fit_settings())],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    def rows(path: Path, table: str, key: str) -> list[tuple]:
        db = duckdb.connect(str(path), read_only=True)
        try:
            found = db.execute(
                f"select * exclude (fitted_at) from intermediate.{table} order by {key}"
                if table == "int_clv__model_parameters"
                else f"select * from intermediate.{table} order by {key}"
            ).fetchall()
        finally:
            db.close()
        return [tuple(v.hex() if isinstance(v, float) else v for v in row) for row in found]

    for table, key in (
        ("int_clv__model_parameters", "model, parameter"),
        ("int_clv__predictions", "customer_key"),
    ):
        expected, actual = rows(warehouse, table, key), rows(out, table, key)
        assert len(expected) > 0 and actual == expected, table
