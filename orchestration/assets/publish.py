"""Publish: the marts into the read-only serving file, after the quality gates pass."""

# no `from __future__ import annotations`: Dagster reads the context annotation at runtime

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from .. import serving
from ..build_state import build_fingerprint
from ..resources import WarehouseResource

SERVING_KEY = AssetKey(["serving", "release"])


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
