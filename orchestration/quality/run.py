"""Run a suite: each frame through its GX Checkpoint, results stored, Data Docs updated.

The GX project is a file context under `<data_dir>/gx` (Data Docs in `<data_dir>/docs`):
per suite frame one ExpectationSuite, one ValidationDefinition (the suite on a whole-frame
batch of the pandas datasource) and one Checkpoint whose UpdateDataDocsAction renders the
result. The results stay in the context's store, so Data Docs list every suite of the last
runs, whichever process ran it (the newest KEEP_RESULTS per frame).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import great_expectations as gx
import pandas as pd
from great_expectations.checkpoint import UpdateDataDocsAction
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import (
    ValidationResultIdentifier,
)

from ..config import settings
from . import data_docs
from .params import suite_params
from .suites import BLOCKING, SUITES_BY_NAME, WARNING, Frame, PreviousRelease, Suite
from .warehouse import connect_read_only

DATASOURCE = "cxw_warehouse"
SITE = "local_site"
KEEP_RESULTS = 10  # validation results kept per suite frame (store and Data Docs)
EXAMPLES_KEPT = 10

# GX logs every metric it computes at INFO, and renders a progress bar per validation.
logging.getLogger("great_expectations").setLevel(logging.WARNING)
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@dataclass
class ExpectationOutcome:
    """One expectation's result, read from GX's ExpectationValidationResult."""

    frame: str
    expectation: str  # GX type, e.g. expect_column_values_to_be_between
    target: str  # the column(s) it looks at
    severity: str  # BLOCKING or WARNING
    success: bool
    notes: str = ""
    unexpected_count: int | None = None
    element_count: int | None = None
    observed_value: Any = None
    examples: list[Any] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False
    show_every_example: bool = False

    def describe(self) -> str:
        what = f"{self.frame}: {self.expectation.removeprefix('expect_')}({self.target})"
        if self.error:
            return f"{what}: {self.error}"
        if self.unexpected_count is not None:
            detail = f"{self.unexpected_count} of {self.element_count} rows"
            if self.examples and self.show_every_example:
                detail += ": " + "; ".join(map(str, self.examples))
            elif self.examples:
                detail += ", e.g. " + ", ".join(map(_short, self.examples[:3]))
            return f"{what}: {detail}"
        return f"{what}: observed {_short(self.observed_value)}"


@dataclass
class SuiteResult:
    suite: str
    asset: tuple[str, ...]
    outcomes: list[ExpectationOutcome]
    seconds: float
    rows_validated: int  # rows of the (aggregated) frames GX validated
    docs_index: Path | None
    docs_pages: list[Path] = field(default_factory=list)

    @property
    def blocking_failures(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == BLOCKING]

    @property
    def warnings(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success and o.severity == WARNING]

    @property
    def passed(self) -> bool:
        """True when no blocking expectation failed: the publish may go on."""
        return not self.blocking_failures

    @property
    def status(self) -> str:
        if self.blocking_failures:
            return "failed"
        return "warning" if self.warnings else "passed"

    def summary(self) -> str:
        lines = [
            f"{self.suite}: {self.status} ({len(self.outcomes)} expectations, "
            f"{len(self.blocking_failures)} blocking failures, {len(self.warnings)} warnings, "
            f"{self.rows_validated} rows, {self.seconds:.2f}s)"
        ]
        lines += [f"  FAILED  {o.describe()}" for o in self.blocking_failures]
        lines += [f"  warning {o.describe()}" for o in self.warnings]
        return "\n".join(lines)


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _target(kwargs: dict, meta: dict | None) -> str:
    if meta and meta.get("target"):
        return meta["target"]
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    return kwargs.get("column", "table")


def _rows_counted(result, data) -> dict[str, Any]:
    """The row counts of a failed expectation over an aggregated frame (meta `rows_of`):
    GX counted the frame's rows (one row of counts, or one per group); the message gives
    the rows of the table they stand for, e.g. "1 of 5 rows". The frame's column `counted`
    (default: the expectation's column, which then holds the count itself) summed over the
    failing rows, out of the column `rows_of` (the table's row count)."""
    meta = result.expectation_config.meta or {}
    if result.success or not meta.get("rows_of") or data is None or data.empty:
        return {}
    column = result.expectation_config.kwargs.get("column")
    counted = meta.get("counted", column)
    failing = data if counted == column else data[data[column].notna()]
    return {
        "unexpected_count": int(failing[counted].sum()),
        "element_count": int(data[meta["rows_of"]].max()),
        **({"examples": []} if counted == column else {}),
    }


def _outcome(frame: str, result=None, expectation=None, **override) -> ExpectationOutcome:
    """From a GX ExpectationValidationResult, or (override) an expectation not run."""
    config = result.expectation_config if result is not None else expectation.configuration
    meta = config.meta or {}
    r = (result.result or {}) if result is not None else {}
    error = None
    if result is not None and (result.exception_info or {}).get("raised_exception"):
        error = str(result.exception_info.get("exception_message") or "GX raised an error")
    every = bool(meta.get("show_every_example"))
    values = dict(
        frame=frame,
        expectation=config.type,
        target=_target(config.kwargs, meta),
        severity=BLOCKING if config.severity.value == BLOCKING else WARNING,
        success=bool(result.success) if result is not None else False,
        notes=config.notes or "",
        unexpected_count=r.get("unexpected_count"),
        element_count=r.get("element_count"),
        observed_value=r.get("observed_value"),
        examples=list(r.get("partial_unexpected_list") or [])[: None if every else EXAMPLES_KEPT],
        error=error,
        show_every_example=every,
    )
    return ExpectationOutcome(**{**values, **override})


# ---------------------------------------------------------------------------------------
# the GX project


@contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """Serialise changes to the GX project between processes (Dagster runs checks in
    parallel processes)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".cxw-quality.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_contexts: dict[Path, Any] = {}


def gx_context(data_dir: Path):
    """The file context of this data dir (configured once per process), Data Docs site
    `local_site` in <data_dir>/docs."""
    data_dir = data_dir.resolve()
    if data_dir in _contexts:
        return _contexts[data_dir]
    site = {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(data_dir / "docs"),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    with project_lock(data_dir / "gx"):
        context = gx.get_context(mode="file", project_root_dir=str(data_dir))
        variables = context.variables
        if (variables.data_docs_sites or {}) != {SITE: site} or variables.progress_bars is None:
            variables.data_docs_sites = {SITE: site}
            variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            variables.save()
            context = gx.get_context(mode="file", project_root_dir=str(data_dir))
        if DATASOURCE not in {ds.name for ds in context.data_sources.all().values()}:
            context.data_sources.add_pandas(DATASOURCE)
    _contexts[data_dir] = context
    return context


def _checkpoint(context, suite: Suite, frame: Frame, build_docs: bool):
    """The Checkpoint of one suite frame, its GX objects added or updated in the context."""
    name = f"{suite.name}.{frame.name}"
    datasource = context.data_sources.get(DATASOURCE)
    asset_name = ".".join(suite.asset)
    try:
        asset = datasource.get_asset(asset_name)
    except LookupError:
        asset = datasource.add_dataframe_asset(asset_name)
    try:
        batch = asset.get_batch_definition(name)
    except KeyError:
        batch = asset.add_batch_definition_whole_dataframe(name)
    expectations = [e.copy(deep=True) for e in frame.expectations]
    for expectation in expectations:
        expectation.id = None
    gx_suite = context.suites.add_or_update(
        gx.ExpectationSuite(
            name=name,
            expectations=expectations,
            meta={"notes": f"{suite.description} Frame: {frame.description}"},
        )
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=name, data=batch, suite=gx_suite)
    )
    actions = [UpdateDataDocsAction(name="update_data_docs", site_names=[SITE])]
    return context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=name,
            validation_definitions=[definition],
            actions=actions if build_docs else [],
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 50},
        )
    )


def _prune_results(context, docs_dir: Path, suite_names: list[str]) -> None:
    """Keep the newest KEEP_RESULTS validation results of each suite frame (store, docs);
    drop those of frames no suite has any more (e.g. from an older version)."""
    store = context.validation_results_store
    current = {f"{s.name}.{f.name}" for s in SUITES_BY_NAME.values() for f in s.frames}
    by_suite: dict[str, list] = {}
    stale = []
    for key in store.list_keys():
        if isinstance(key, ValidationResultIdentifier):
            name = key.expectation_suite_identifier.name
            if name in suite_names:
                by_suite.setdefault(name, []).append(key)
            elif name not in current:
                stale.append(key)
    for keys in by_suite.values():
        keys.sort(key=lambda k: str(k.run_id.run_time), reverse=True)
        stale += keys[KEEP_RESULTS:]
    for old in stale:
        store.remove_key(old)
        page = docs_dir / "validations" / Path(*old.to_tuple()[:-1])
        (page / f"{old.to_tuple()[-1]}.html").unlink(missing_ok=True)
        if page.exists() and not any(page.iterdir()):
            shutil.rmtree(page, ignore_errors=True)


# ---------------------------------------------------------------------------------------


def _frame_data(frame: Frame, con, previous_release: Path | None) -> pd.DataFrame | None:
    if frame.build is not None:
        return frame.build(PreviousRelease(con, previous_release))
    return con.sql(frame.sql).df()


def run_suite(
    database: Path,
    suite_name: str,
    *,
    previous_release: Path | None = None,
    data_dir: Path | None = None,
    run_name: str | None = None,
    build_docs: bool = True,
) -> SuiteResult:
    """Validate one suite against a warehouse file (opened read-only); update Data Docs.

    `previous_release` is the last published serving file, for the drift frames (skipped
    without it). GX keeps its project in `<data_dir>/gx` and Data Docs in `<data_dir>/docs`
    (data_dir defaults to CXW_DATA_DIR). Never raises for bad data: a frame that cannot be
    read counts as failed expectations of their own severity. Raises ValueError for an
    unknown suite name.
    """
    started, wall_clock = time.perf_counter(), time.time()
    suite = SUITES_BY_NAME.get(suite_name)
    if suite is None:
        raise ValueError(
            f"unknown quality suite {suite_name!r}; known: {', '.join(sorted(SUITES_BY_NAME))}"
        )
    data_dir = Path(data_dir) if data_dir else settings().data_dir
    docs_dir = data_dir / "docs"
    context = gx_context(data_dir)
    run_id = RunIdentifier(run_name=run_name or "cxw", run_time=dt.datetime.now(dt.UTC))
    parameters = suite_params()

    outcomes: list[ExpectationOutcome] = []
    pages: list[Path] = []
    rows = 0
    con = connect_read_only(Path(database))
    try:
        for frame in suite.frames:
            try:
                data = _frame_data(frame, con, previous_release)
            except duckdb.Error as error:
                message = f"could not read the data: {str(error).splitlines()[0]}"
                outcomes += [_outcome(frame.name, expectation=e, error=message)
                             for e in frame.expectations]  # fmt: skip
                continue
            if data is None:
                outcomes += [
                    _outcome(frame.name, expectation=e, success=True, skipped=True,
                             notes="skipped: no previous release to compare with")
                    for e in frame.expectations
                ]  # fmt: skip
                continue
            rows += len(data)
            with project_lock(data_dir / "gx"):
                checkpoint = _checkpoint(context, suite, frame, build_docs)
                if build_docs:
                    _prune_results(context, docs_dir, [checkpoint.name])
                result = checkpoint.run(
                    batch_parameters={"dataframe": data},
                    expectation_parameters=parameters,
                    run_id=run_id,
                )
            for key, validation in result.run_results.items():
                outcomes += [_outcome(frame.name, r, **_rows_counted(r, data))
                             for r in validation.results]  # fmt: skip
                parts = key.to_tuple()
                pages.append(docs_dir / "validations" / Path(*parts[:-1]) / f"{parts[-1]}.html")
    finally:
        con.close()
    if build_docs:
        with project_lock(data_dir / "gx"):
            if not pages:
                context.build_data_docs(site_names=[SITE])
            data_docs.serve_assets_locally(docs_dir, since=wall_clock - 1)
    return SuiteResult(
        suite=suite.name,
        asset=suite.asset,
        outcomes=outcomes,
        seconds=time.perf_counter() - started,
        rows_validated=rows,
        docs_index=docs_dir / "index.html" if build_docs else None,
        docs_pages=pages if build_docs else [],
    )
