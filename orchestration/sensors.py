"""Start a run when new files land."""

# no `from __future__ import annotations`: Dagster reads the context annotation at runtime

import hashlib
from pathlib import Path

import duckdb
from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from .jobs import cx_warehouse_job
from .loader.pending import unhandled_files
from .resources import WarehouseResource


def pending_landing_files(landing_dir: Path, warehouse_path: Path) -> list[Path] | None:
    """The landing files no run has handled yet (not in raw.load_log by path, size and
    modification time); None while a run holds the warehouse open for writing."""
    if not warehouse_path.exists():
        return unhandled_files(None, landing_dir)
    try:
        con = duckdb.connect(str(warehouse_path), read_only=True)
    except duckdb.IOException:  # a run is writing: it will see the files, or the next tick
        return None
    with con:
        return unhandled_files(con, landing_dir)


def files_fingerprint(paths: list[Path]) -> str:
    """A hash of the files' paths, sizes and modification times."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        stat = path.stat()
        digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@sensor(
    name="landing_folder_sensor",
    job=cx_warehouse_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Requests a run when a landing file lands that no run has handled yet (not in "
        "raw.load_log): opening the UI on a loaded warehouse starts nothing."
    ),
)
def landing_folder_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
    s = warehouse.settings
    pending = pending_landing_files(s.landing_dir, s.warehouse_path)
    if pending is None:
        return SkipReason(f"a run is writing {s.warehouse_path}; looking again at the next tick")
    if not pending:
        return SkipReason(f"no new files under {s.landing_dir}")
    fingerprint = files_fingerprint(pending)
    if fingerprint == context.cursor:
        return SkipReason(f"{len(pending)} new files under {s.landing_dir}, run already requested")
    context.update_cursor(fingerprint)
    return RunRequest(run_key=fingerprint, tags={"cxw/trigger": "landing_sensor"})
