"""dbt models as Dagster assets: one lineage from the raw tables to the marts."""

# no `from __future__ import annotations`: Dagster reads the config annotation at runtime

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
from ..resources import WarehouseResource, WriterLockResource, dbt_project, export_dbt_environment

# `dagster dev` re-parses on every load; elsewhere a missing manifest, or one parsed from
# other files than the project's now, is parsed again (resources.ManifestPreparer).
dbt_project.prepare_if_dev()


class CxDbtTranslator(DagsterDbtTranslator):
    """Keys are [schema, name]: raw sources meet the ingest assets, models group by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(["raw", dbt_resource_props["name"]])
        schema = dbt_resource_props.get("schema") or dbt_resource_props["config"].get("schema")
        return AssetKey([schema, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "raw"
        return dbt_resource_props.get("schema") or "dbt"


class DbtBuildConfig(Config):
    full_refresh: bool = False
    # dbt unit tests check the SQL logic on fixed inputs, not the data: as dbt recommends,
    # production builds leave them out, and CI runs them (tests/test_dbt_unit_tests.py).
    unit_tests: bool = False


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=CxDbtTranslator(
        settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)
    ),
)
def cx_dbt_models(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    writer_lock: WriterLockResource,
    config: DbtBuildConfig,
):
    """`dbt build` (seeds, models, data tests) for the selected models, streamed as events."""
    export_dbt_environment(warehouse.settings)
    args = ["build"]
    if config.full_refresh:
        args.append("--full-refresh")
    if not config.unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    invocation = dbt.cli(args, context=context, raise_on_error=False)
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
