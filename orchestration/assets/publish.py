"""Publish: the marts into the read-only serving file, after the quality gates pass."""

# no `from __future__ import annotations`: Dagster reads the context annotation at runtime

from dagster import (
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    DagsterEventType,
    MaterializeResult,
    asset,
)

from .. import serving
from ..build_state import build_fingerprint
from ..resources import WarehouseResource

SERVING_KEY = AssetKey(["serving", "release"])


def run_quality_warnings(context: AssetExecutionContext) -> list[serving.QualityWarning]:
    """The failed warning checks (severity WARN) this run has recorded so far.

    Every check on the marts' upstream runs before the publish (warning checks are blocking
    too, orchestration/quality/checks.py: WARN severity never stops the publish, but the
    publish waits for them), so this is all of the run's warnings.
    """
    warnings = []
    for entry in context.instance.all_logs(
        context.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION
    ):
        evaluation = entry.dagster_event.event_specific_data
        if evaluation.passed or evaluation.severity != AssetCheckSeverity.WARN:
            continue
        warnings.append(
            serving.QualityWarning(
                asset=evaluation.asset_key.to_user_string(),
                check_name=evaluation.check_name,
                description=evaluation.description or "",
            )
        )
    return warnings


def publish_asset(mart_keys: list[AssetKey]):
    @asset(
        key=SERVING_KEY,
        group_name="serving",
        deps=mart_keys,
        kinds={"duckdb"},
        description=(
            "The serving file data/serving/cx.duckdb that BI and analysts open read-only: "
            "a new release swapped in atomically once every blocking quality check passed."
        ),
    )
    def serving_release(context: AssetExecutionContext, warehouse: WarehouseResource):
        s = warehouse.settings
        schemas = ("marts", "pii") if s.publish_pii else ("marts",)
        with warehouse.connect(read_only=True) as con:
            fingerprint = build_fingerprint(con, s)
        release = serving.publish(
            s.warehouse_path,
            s.serving_path,
            schemas=schemas,
            keep=s.keep_releases,
            run_id=context.run_id,
            build_fingerprint=fingerprint,
            quality_warnings=run_quality_warnings(context),
        )
        context.log.info(f"published release {release.release_id} to {s.serving_path}")
        return MaterializeResult(
            metadata={
                "release_id": release.release_id,
                "serving_path": str(s.serving_path),
                "tables": len(release.tables),
                "rows": sum(release.tables.values()),
            }
        )

    return serving_release
