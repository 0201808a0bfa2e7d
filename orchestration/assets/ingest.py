"""Ingest: landing files → one raw table per entity (the loader does the work)."""

# no `from __future__ import annotations`: Dagster reads the context annotation at runtime

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from ..loader import load_landing
from ..loader.contract import ENTITIES
from ..loader.mapping import check_mappings, load_mappings
from ..resources import WarehouseResource, WriterLockResource
from ..spark_raw import export_raw_parquet, spark_engine

RAW_GROUP = "raw"


def raw_asset_key(table: str) -> AssetKey:
    return AssetKey(["raw", table])


@multi_asset(
    name="ingest_landing",
    group_name=RAW_GROUP,
    can_subset=True,
    specs=[
        AssetSpec(
            raw_asset_key(entity.name),
            description=(
                f"Raw `{entity.folder}` extracts (landing contract), every version of every "
                "record with lineage; bad rows in raw.quarantine."
            ),
            kinds={"duckdb"},
            metadata={"landing_folder": entity.folder},
            skippable=True,
        )
        for entity in ENTITIES
    ],
)
def ingest_landing(
    context: AssetExecutionContext, warehouse: WarehouseResource, writer_lock: WriterLockResource
):
    """Load new landing files into one DuckDB instance (one writer per file): each entity's
    files in order, entities side by side (see load_landing)."""
    s = warehouse.settings
    selected = {key.path[-1] for key in context.selected_asset_keys}
    entities = [entity for entity in ENTITIES if entity.name in selected]
    # source mappings (CXW_MAPPINGS): a mistake in one fails the run before anything loads
    mappings = load_mappings(s.mappings)
    check_mappings(mappings, s.landing_dir)
    con = warehouse.connect()
    try:
        report = load_landing(
            con,
            s.landing_dir,
            time_zones=s.source_time_zones,
            quarantine_dir=s.quarantine_dir,
            entities=entities,
            workers=s.threads,
            mappings=mappings,
        )
        for r in report.files:
            if r.status == "ignored":
                context.log.info(r.message)
        # files outside every entity folder (a stray orders.csv, a .DS_Store at the top)
        # belong to no entity: counted once, with the first entity, so that the run's
        # files.ignored is every file the load log has as ignored
        names = {entity.name for entity in entities}
        unowned = [r for r in report.files if r.status == "ignored" and r.entity not in names]
        for index, entity in enumerate(entities):
            ignored = [r for r in report.files if r.entity == entity.name and r.status == "ignored"]
            if index == 0:
                ignored += unowned
            new = [
                r
                for r in report.files
                if r.entity == entity.name and r.status not in ("duplicate", "ignored")
            ]
            for r in new:
                log = context.log.warning if r.status == "quarantined" else context.log.info
                log(
                    f"{r.file_path}: {r.status}, read {r.rows_read}, loaded {r.rows_loaded}, "
                    f"quarantined {r.rows_quarantined}" + (f" ({r.message})" if r.message else "")
                )
            yield MaterializeResult(
                asset_key=raw_asset_key(entity.name),
                metadata={
                    "new_files": len(new),
                    "files_quarantined": sum(r.status == "quarantined" for r in new),
                    "files_ignored": len(ignored),
                    "rows_read": sum(r.rows_read for r in new),
                    "rows_loaded": sum(r.rows_loaded for r in new),
                    "rows_quarantined": sum(r.rows_quarantined for r in new),
                    "rows_suppressed": sum(r.rows_suppressed for r in new),
                    "table_rows": con.execute(f"select count(*) from raw.{entity.name}").fetchone()[
                        0
                    ],
                },
            )
        if s.spark or spark_engine():
            # the raw zone Spark reads (orchestration/spark_raw.py); DuckDB runs skip it
            written = export_raw_parquet(con, s.spark_raw_zone)
            context.log.info(f"raw zone for Spark: {written} rows written as Parquet")
    finally:
        con.close()
