"""Quality gates: Great Expectations 1.x suites, run as Dagster asset checks.

    from orchestration.quality import run_suite
    result = run_suite(Path("data/warehouse/cx.duckdb"), "marts_kpi_scorecard")
    print(result.summary())

suites.py holds the suites (GX expectation suites over DuckDB queries), run.py runs each
suite frame through its GX Checkpoint (results stored, Data Docs updated), data_docs.py
makes the Data Docs readable offline, checks.py turns each suite into Dagster asset checks.

The one workaround: GX 1.x cannot validate DuckDB through SQLAlchemy (every expectation
fails with "list index out of range"), so DuckDB runs each frame's query and GX validates
the result through its pandas datasource (a whole-dataframe batch). To keep memory bounded
at any scale, no frame is a big table: a per-row rule over one is aggregated in DuckDB
first (the share of linked rows, the distinct unknown words, counts of rows breaking a
rule), so GX sees at most a few thousand rows.
"""

from __future__ import annotations

from .run import ExpectationOutcome, SuiteResult, run_suite
from .suites import BLOCKING, SUITES, SUITES_BY_NAME, WARNING, Frame, Suite

__all__ = [
    "BLOCKING",
    "SUITES",
    "SUITES_BY_NAME",
    "WARNING",
    "ExpectationOutcome",
    "Frame",
    "Suite",
    "SuiteResult",
    "run_suite",
]
