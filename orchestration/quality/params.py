"""The quality suites' thresholds, as GX suite parameters, with working defaults.

From the environment:
- CXW_QUALITY_MAX_VOLUME_CHANGE_PCT (50): rows per mart vs the last release, ± % (warning)
- CXW_QUALITY_MAX_NPS_CHANGE_POINTS (15): overall NPS vs the last release, ± points (warning)
- CXW_QUALITY_MIN_LINKED_SHARE (0.9): share of orders / tickets / responses linked to a
  customer (warning)

From dbt_project.yml (one value for the checks and the models): the identity limits
`max_crm_records_per_person`, `max_emails_per_person`, `max_phones_per_person`, and
`future_tolerance_minutes` (how far past its load time a source timestamp may lie).
"""

from __future__ import annotations

import os

from ..constants import dbt_var

_ENV = {
    "max_volume_change_pct": ("CXW_QUALITY_MAX_VOLUME_CHANGE_PCT", 50.0),
    "max_nps_change_points": ("CXW_QUALITY_MAX_NPS_CHANGE_POINTS", 15.0),
    "min_linked_share": ("CXW_QUALITY_MIN_LINKED_SHARE", 0.9),
}
_DBT_VARS = (
    "max_crm_records_per_person",
    "max_emails_per_person",
    "max_phones_per_person",
    "future_tolerance_minutes",
)


def suite_params() -> dict[str, float]:
    """The thresholds in force now (read on every call, so tests can change the environment);
    the two drift bounds come as min_/max_ pairs (± the configured limit)."""
    params: dict[str, float] = {}
    for name, (variable, default) in _ENV.items():
        value = os.environ.get(variable, "").strip()
        try:
            params[name] = float(value) if value else default
        except ValueError:
            raise ValueError(
                f"{variable}={value!r} is not a valid number; unset it or fix it"
            ) from None
    for name in ("volume_change_pct", "nps_change_points"):
        params[f"min_{name}"] = -params[f"max_{name}"]
    for name in _DBT_VARS:
        params[name] = int(dbt_var(name))
    return params
