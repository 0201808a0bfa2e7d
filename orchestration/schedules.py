"""The daily run (time and zone from CXW_SCHEDULE_CRON / CXW_SCHEDULE_TZ)."""

from __future__ import annotations

import os

from dagster import DefaultScheduleStatus, ScheduleDefinition

from .jobs import cx_warehouse_job

daily_schedule = ScheduleDefinition(
    name="cx_warehouse_daily",
    job=cx_warehouse_job,
    cron_schedule=os.environ.get("CXW_SCHEDULE_CRON") or "0 6 * * *",
    execution_timezone=os.environ.get("CXW_SCHEDULE_TZ") or "Europe/Rome",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Full pipeline every day (default 06:00 Europe/Rome).",
)
