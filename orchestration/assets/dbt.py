"""dbt models as Dagster assets: one lineage from the raw tables to the marts.

Two dbt steps, from one manifest: `cx_dbt_models` builds every model but those downstream
of the CLV fit's tables (the dbt source `clv_fit`), the Dagster asset clv_fit
(assets/clv.py) then writes those tables, and `cx_dbt_clv_marts` builds the models that
read them (the CLV marts). On Spark (CXW_ENGINE=spark) each step runs dbt on Spark and
copies what the serving side reads into the warehouse file (orchestration.spark_dbt).
"""

# no `from __future__ import annotations`: Dagster reads the config annotation at runtime

import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Config, Failure
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from ..failpoints import failpoint
from ..loader.errors import resource_failures
from ..resources import (
    WarehouseResource,
    WriterLockResource,
    dbt_project,
    engine_dbt,
    export_dbt_environment,
)

# `dagster dev` re-parses on every load; elsewhere a missing manifest, or one parsed from
# other files than the project's now, is parsed again (resources.ManifestPreparer).
dbt_project.prepare_if_dev()


# The dbt source whose tables the Dagster asset clv_fit writes, and the models it feeds.
CLV_FIT_SOURCE = "clv_fit"
AFTER_CLV_FIT = f"source:{CLV_FIT_SOURCE}+"


class CxDbtTranslator(DagsterDbtTranslator):
    """Keys are [schema, name]: raw sources meet the ingest assets, the clv_fit source the
    CLV asset's tables, models group by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        schema = dbt_resource_props.get("schema") or dbt_resource_props["config"].get("schema")
        return AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["schema"]
        return dbt_resource_props.get("schema") or "dbt"


class DbtBuildConfig(Config):
    full_refresh: bool = False
    # dbt unit tests check the SQL logic on fixed inputs, not the data: as dbt recommends,
    # production builds leave them out, and CI runs them (tests/test_dbt_unit_tests.py).
    unit_tests: bool = False


TRANSLATOR = CxDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    exclude=AFTER_CLV_FIT,
    dagster_dbt_translator=TRANSLATOR,
)
def cx_dbt_models(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    writer_lock: WriterLockResource,
    config: DbtBuildConfig,
):
    """`dbt build` (seeds, models, data tests) for the selected models, streamed as events:
    every model but the CLV marts, which wait for the CLV fit (assets/clv.py)."""
    yield from _dbt_build(context, dbt, warehouse, config)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    select=AFTER_CLV_FIT,
    name="cx_dbt_clv_marts",
    dagster_dbt_translator=TRANSLATOR,
)
def cx_dbt_clv_marts(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    writer_lock: WriterLockResource,
    config: DbtBuildConfig,
):
    """`dbt build` of the models that read the CLV fit's tables (the CLV marts)."""
    yield from _dbt_build(context, dbt, warehouse, config)


def _dbt_build(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: DbtBuildConfig,
):
    s = warehouse.settings
    export_dbt_environment(s)
    if s.spark:
        # what the quality checks and the publish read goes into the warehouse file
        os.environ["CXW_SPARK_EXPORT_TO"] = str(s.warehouse_path)
    else:
        os.environ.pop("CXW_SPARK_EXPORT_TO", None)
    args = ["build"]
    if config.full_refresh:
        args.append("--full-refresh")
    if not config.unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    invocation = engine_dbt(dbt, s).cli(args, context=context, raise_on_error=False)
    for built, event in enumerate(invocation.stream()):
        if built == 10:  # some models are built, most are not
            failpoint("dbt.inside_build")
        yield event
    if not invocation.is_successful():
        run_results = invocation.target_path / "run_results.json"
        lacking = resource_failures(run_results)
        if lacking:
            # out of memory or spill space: not the data's fault, the run can be retried
            raise Failure(
                description="dbt build stopped for lack of a resource: "
                + "; ".join(lacking)
                + "; nothing is published, the last good release stays in place",
                allow_retries=False,
            )
        # A failing model or dbt test is a data problem, not a transient one: no retry.
        raise Failure(
            description=(
                "dbt build failed: see the failed models and tests above, and "
                f"{invocation.target_path / 'run_results.json'}"
            ),
            allow_retries=False,
        )
