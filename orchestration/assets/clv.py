"""The CLV fit: int_clv__customer_summary → int_clv__model_parameters, int_clv__predictions.

A Dagster asset between the two dbt steps (assets/dbt.py), not a dbt Python model: dbt-spark
runs Python models only on Databricks, never on a Spark session (local mode or a cluster
reached through the thrift server or Spark Connect), and the fit must give the same numbers
on every engine. The summary is one row of five numbers per customer, which fits in this
process whatever the engine, so the fit is the same code on both (orchestration/clv.py,
`model_parameters` and `customer_predictions`):

- DuckDB: read the summary and as_of from the warehouse file, write the two tables back
  into its `intermediate` schema, in one transaction;
- Spark: `python -m orchestration.spark_clv` does the same against Spark's catalog, in its
  own process (Spark's local metastore admits one process at a time, and dbt's steps
  start their own).

The fit's settings (the dbt vars clv_time_unit, clv_min_customers,
clv_min_repeat_customers, clv_horizon_months) are the meta of the dbt source `clv_fit`'s
tables (models/intermediate/clv/_clv__kpis.yml), read from dbt's manifest.
"""

# no `from __future__ import annotations`: Dagster reads the context annotation at runtime

import json
import os
import subprocess
import sys
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MaterializeResult,
    multi_asset,
)

from ..clv import (
    AS_OF_TABLE,
    PARAMETERS_TABLE,
    PREDICTIONS_TABLE,
    SCHEMA,
    SUMMARY_TABLE,
    fit_tables,
)
from ..config import REPO_ROOT
from ..resources import WarehouseResource, WriterLockResource, dbt_project, export_dbt_environment
from .dbt import CLV_FIT_SOURCE


def fit_settings(manifest_path: Path = dbt_project.manifest_path) -> dict[str, object]:
    """The fit's settings from the meta of the clv_fit source's tables in dbt's manifest:
    time_unit, min_customers, min_repeat_customers, horizon_months."""
    sources = json.loads(Path(manifest_path).read_text())["sources"]
    meta: dict[str, object] = {}
    for source in sources.values():
        if source["source_name"] == CLV_FIT_SOURCE:
            meta.update(source.get("meta") or {})
    return {
        "time_unit": str(meta.get("clv_time_unit") or "day"),
        "min_customers": int(meta.get("clv_min_customers") or 0),
        "min_repeat_customers": int(meta.get("clv_min_repeat_customers") or 0),
        "horizon_months": int(meta.get("clv_horizon_months") or 12),
    }


def fit_on_duckdb(con, fit: dict[str, object]) -> tuple[int, int]:
    """Read the summary and as_of from the warehouse `con`, write the two tables into its
    intermediate schema (one transaction). Returns the rows written (parameters,
    predictions)."""
    summary = con.execute(f"select * from {SCHEMA}.{SUMMARY_TABLE}").df()
    as_of = con.execute(f"select as_of_at from {SCHEMA}.{AS_OF_TABLE} limit 1").fetchall()
    parameters, predictions = fit_tables(summary, as_of[0][0] if as_of else None, fit)
    con.execute("begin transaction")
    try:
        for table, frame in ((PARAMETERS_TABLE, parameters), (PREDICTIONS_TABLE, predictions)):
            con.register("clv_frame", frame)
            con.execute(f"create or replace table {SCHEMA}.{table} as select * from clv_frame")
            con.unregister("clv_frame")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return len(parameters), len(predictions)


def fit_on_spark(fit: dict[str, object]) -> tuple[int, int]:
    """orchestration.spark_clv in its own process, with the settings in force
    (export_dbt_environment has put them in the environment)."""
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.spark_clv", json.dumps(fit)],
        cwd=REPO_ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise Failure(
            description="the CLV fit on Spark failed:\n" + result.stderr[-4000:],
            allow_retries=False,
        )
    written = json.loads(result.stdout.strip().splitlines()[-1])
    return int(written["parameters"]), int(written["predictions"])


@multi_asset(
    name="clv_fit",
    group_name=SCHEMA,
    specs=[
        AssetSpec(
            AssetKey([SCHEMA, PARAMETERS_TABLE]),
            deps=[AssetKey([SCHEMA, SUMMARY_TABLE]), AssetKey([SCHEMA, AS_OF_TABLE])],
            description=(
                "BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, v) fitted on "
                "int_clv__customer_summary (orchestration/clv.py); seven rows, NULL values "
                "with not_fitted_reason where the data cannot support a model."
            ),
            kinds={"python"},
        ),
        AssetSpec(
            AssetKey([SCHEMA, PREDICTIONS_TABLE]),
            deps=[AssetKey([SCHEMA, SUMMARY_TABLE])],
            description=(
                "Per customer of int_clv__customer_summary: P(alive), expected purchases, "
                "spend per purchase and value over the horizon, from the fitted parameters."
            ),
            kinds={"python"},
        ),
    ],
)
def clv_fit(
    context: AssetExecutionContext, warehouse: WarehouseResource, writer_lock: WriterLockResource
):
    """Fit the CLV models on the engine the run builds on and write the two tables."""
    s = warehouse.settings
    fit = fit_settings()
    if s.spark:
        export_dbt_environment(s)
        parameters, predictions = fit_on_spark(fit)
    else:
        with warehouse.connect() as con:
            parameters, predictions = fit_on_duckdb(con, fit)
    context.log.info(f"CLV fit on {s.engine}: {parameters} parameter rows, {predictions} customers")
    yield MaterializeResult(
        asset_key=AssetKey([SCHEMA, PARAMETERS_TABLE]),
        metadata={"engine": s.engine, "rows": parameters, **fit},
    )
    yield MaterializeResult(
        asset_key=AssetKey([SCHEMA, PREDICTIONS_TABLE]),
        metadata={"engine": s.engine, "rows": predictions},
    )
