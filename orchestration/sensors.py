"""Start a run when new files land."""

# no `from __future__ import annotations`: Dagster reads the context annotation at runtime

import hashlib
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from .config import settings
from .jobs import cx_warehouse_job
from .loader import landing_files
from .loader.contract import ENTITIES


def landing_fingerprint(landing_dir: Path) -> tuple[str, int]:
    """A hash of every landing file's path, size and mtime, and how many files there are."""
    digest = hashlib.sha256()
    count = 0
    for entity in ENTITIES:
        for path in landing_files(landing_dir, entity):
            stat = path.stat()
            digest.update(
                f"{path.relative_to(landing_dir)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode()
            )
            count += 1
    return digest.hexdigest(), count


@sensor(
    name="landing_folder_sensor",
    job=cx_warehouse_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Requests a run when files are added to or changed in the landing folder.",
)
def landing_folder_sensor(context: SensorEvaluationContext):
    landing_dir = settings().landing_dir
    fingerprint, count = landing_fingerprint(landing_dir)
    if count == 0:
        return SkipReason(f"no landing files under {landing_dir}")
    if fingerprint == context.cursor:
        return SkipReason(f"no new files under {landing_dir} ({count} known)")
    context.update_cursor(fingerprint)
    return RunRequest(run_key=fingerprint, tags={"cxw/trigger": "landing_sensor"})
