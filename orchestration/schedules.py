"""The daily run (time and zone from CXW_SCHEDULE_CRON / CXW_SCHEDULE_TZ)."""

# no `from __future__ import annotations`: Dagster reads the context annotation at runtime

import os

from dagster import (
    DefaultScheduleStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SkipReason,
    schedule,
)

from .build_state import nothing_to_load_message, up_to_date_release
from .jobs import cx_warehouse_job
from .resources import WarehouseResource


@schedule(
    name="cx_warehouse_daily",
    job=cx_warehouse_job,
    cron_schedule=os.environ.get("CXW_SCHEDULE_CRON") or "0 6 * * *",
    execution_timezone=os.environ.get("CXW_SCHEDULE_TZ") or "Europe/Rome",
    default_status=DefaultScheduleStatus.RUNNING,
    description=(
        "Full pipeline every day (default 06:00 Europe/Rome), skipped when nothing has "
        "landed and neither the code nor the configuration changed since the last release, "
        "and on a new install whose landing folder holds no extract yet."
    ),
)
def daily_schedule(context: ScheduleEvaluationContext, warehouse: WarehouseResource):
    s = warehouse.settings
    nothing = nothing_to_load_message(s)
    if nothing is not None:
        return SkipReason(nothing)
    release = up_to_date_release(s)
    if release is not None:
        return SkipReason(
            f"release {release} is up to date: no new landing file, no change to the code "
            "or configuration"
        )
    return RunRequest()
