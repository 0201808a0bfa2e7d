"""The vocabulary of the quality suites: what a suite, a frame and an expectation are.

A *suite* guards one Dagster asset (a raw table or a dbt model). It validates one or more
*frames*: data produced by a DuckDB query (or, for comparisons with the last release, by a
Python function). Each frame carries Great Expectations expectations, each with a severity:

- ``blocking``: a failure stops the publish (Dagster check severity ERROR, blocking);
- ``warning``: a failure is reported, the publish goes on (severity WARN).

Large frames (``chunked=True``) are streamed from DuckDB in bounded batches and only hold
column-map expectations (per-row rules such as not-null, between, in-set, A >= B), whose
counts can be summed across batches. Table-level rules (row counts, reconciliation sums,
KPI ranges) run on small aggregate frames that DuckDB computes (``chunked=False``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

Severity = Literal["blocking", "warning"]
BLOCKING: Severity = "blocking"
WARNING: Severity = "warning"


@dataclass(frozen=True)
class Expect:
    """One expectation: a GX expectation type (snake_case, as GX names them), its kwargs,
    how bad a failure is, and why the rule exists (shown in Data Docs)."""

    type: str  # e.g. "expect_column_values_to_not_be_null"
    kwargs: Mapping[str, Any]
    severity: Severity = BLOCKING
    notes: str = ""
    # True for rules whose unexpected values are messages for people (e.g. "ces: no CES
    # answers loaded"): the check's description lists every one of them in full.
    show_every_example: bool = False


@dataclass(frozen=True)
class FrameContext:
    """What a Python frame builder may use: the warehouse (read-only) and the last release."""

    con: duckdb.DuckDBPyConnection
    previous_release: Path | None
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Frame:
    """Data to validate. ``sql`` may use ``{name}`` placeholders filled from the suite params.

    ``build`` replaces ``sql`` for frames that need more than one database (the comparison
    with the last published release); it returns None when there is nothing to compare.
    """

    name: str
    expectations: tuple[Expect, ...]
    sql: str | None = None
    build: Callable[[FrameContext], pd.DataFrame | None] | None = None
    chunked: bool = False
    description: str = ""
    # Raw rows never change once loaded: with ``once_per_batch`` the rows of a load batch
    # (the ``_batch_id`` and ``_loaded_at`` columns the SQL must select) that passed this
    # frame's blocking rules, as they stand, are not validated again by later runs (see
    # validate.BatchLedger). Only for chunked frames of per-row rules.
    once_per_batch: bool = False


@dataclass(frozen=True)
class Suite:
    name: str  # also the Dagster check name: letters, digits, underscores
    asset: tuple[str, ...]  # the asset key path it guards, e.g. ("marts", "kpi_scorecard")
    frames: tuple[Frame, ...]
    description: str
    # other assets it reads (the check waits for them), e.g. raw tables for reconciliation
    reads: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    @property
    def expectations(self) -> tuple[Expect, ...]:
        return tuple(e for f in self.frames for e in f.expectations)

    @property
    def has_blocking(self) -> bool:
        return any(e.severity == BLOCKING for e in self.expectations)
