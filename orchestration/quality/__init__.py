"""Quality gates: Great Expectations suites on every layer, run as Dagster asset checks.

    from orchestration.quality import run_suite
    result = run_suite(Path("data/warehouse/cx.duckdb"), "marts_kpi_scorecard")
    print(result.summary())

Suites are code (suites.py); validate.py streams the data in bounded batches through GX's
pandas datasource; checks.py turns each suite into Dagster asset checks.
"""

from __future__ import annotations

from .spec import BLOCKING, WARNING, Expect, Frame, Suite
from .suites import SUITES, SUITES_BY_NAME
from .validate import ExpectationOutcome, SuiteResult, run_suite

__all__ = [
    "BLOCKING",
    "SUITES",
    "SUITES_BY_NAME",
    "WARNING",
    "Expect",
    "ExpectationOutcome",
    "Frame",
    "Suite",
    "SuiteResult",
    "run_suite",
]
