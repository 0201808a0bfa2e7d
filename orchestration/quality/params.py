"""Tunable limits of the quality suites, from the environment with working defaults.

- CXW_QUALITY_BATCH_ROWS (500000): rows per batch when a large table is streamed
- CXW_QUALITY_MAX_VOLUME_CHANGE_PCT (50): rows per mart vs the last release, ± % (warning)
- CXW_QUALITY_MAX_NPS_CHANGE_POINTS (15): overall NPS vs the last release, ± points (warning)
- CXW_QUALITY_MIN_LINKED_SHARE (0.9): share of orders / tickets / responses linked to a
  customer (warning)

The identity limits are the dbt vars `max_crm_records_per_person`, `max_emails_per_person`
and `max_phones_per_person` of dbt_project.yml, and how far past its load time a source
timestamp may lie is the dbt var `future_tolerance_minutes` (the rows beyond it are the
ones the models flag is_future_dated), so the checks and the models share one value.
"""

from __future__ import annotations

import os
from typing import Any

from ..constants import dbt_var

DEFAULTS: dict[str, Any] = {
    "batch_rows": 500_000,
    "max_volume_change_pct": 50.0,
    "max_nps_change_points": 15.0,
    "min_linked_share": 0.9,
}

_ENV = {
    "batch_rows": ("CXW_QUALITY_BATCH_ROWS", int),
    "max_volume_change_pct": ("CXW_QUALITY_MAX_VOLUME_CHANGE_PCT", float),
    "max_nps_change_points": ("CXW_QUALITY_MAX_NPS_CHANGE_POINTS", float),
    "min_linked_share": ("CXW_QUALITY_MIN_LINKED_SHARE", float),
}

_DBT_VARS = (
    "max_crm_records_per_person",
    "max_emails_per_person",
    "max_phones_per_person",
    "future_tolerance_minutes",
)


def suite_params() -> dict[str, Any]:
    """The limits in force now (read on every call, so tests can change the environment)."""
    params = dict(DEFAULTS)
    for name, (variable, cast) in _ENV.items():
        value = os.environ.get(variable, "").strip()
        if value:
            try:
                params[name] = cast(value)
            except ValueError:
                raise ValueError(
                    f"{variable}={value!r} is not a valid {cast.__name__}; unset it or fix it"
                ) from None
    for name in _DBT_VARS:
        params[name] = int(dbt_var(name))
    return params
