"""Run the Dagster job in-process and summarise it for people and scripts (`cxw run`)."""

from __future__ import annotations

import os
from collections import defaultdict
from contextlib import ExitStack, redirect_stderr, redirect_stdout
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dagster import AssetCheckSeverity, DagsterEventType, DagsterInstance

from .build_state import up_to_date_release
from .config import settings
from .resources import dbt_project

INGEST_STEP = "ingest_landing"
DBT_STEP = "cx_dbt_models"
# the CLV fit and the dbt models after it (the CLV marts): model building, as dbt's step
CLV_STEP = "clv_fit"
CLV_MARTS_STEP = "cx_dbt_clv_marts"
PUBLISH_STEP = "serving__release"


@dataclass
class CheckOutcome:
    asset: str
    name: str
    passed: bool
    severity: str  # ERROR (blocking) or WARN
    description: str = ""


@dataclass
class RunReport:
    run_id: str
    success: bool
    files: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    models_built: int = 0
    published_release: str | None = None
    checks: list[CheckOutcome] = field(default_factory=list)
    phase_seconds: dict[str, float] = field(default_factory=dict)
    failed_steps: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    log_path: Path | None = None
    # no run was needed: nothing new landed and the build's code and configuration are
    # those of the current release (see orchestration.build_state)
    up_to_date: bool = False

    @property
    def blocking_failures(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.passed and c.severity == "ERROR"]

    @property
    def ok(self) -> bool:
        return self.success and not self.blocking_failures and self.published_release is not None


def _phase(step_key: str) -> str:
    if step_key == INGEST_STEP:
        return "ingest"
    if step_key in (DBT_STEP, CLV_STEP, CLV_MARTS_STEP):
        return "dbt"
    if step_key == PUBLISH_STEP:
        return "publish"
    return "checks"


def run_pipeline(*, full_refresh: bool = False, log_path: Path | None = None) -> RunReport:
    """One full run of the `cx_warehouse` job, exactly as the UI would launch it.

    With `log_path`, the run's log (Dagster events and dbt's output) goes to that file
    instead of the terminal, so a caller can print just the summary. When no landing file
    is new and the code and configuration are those of the current release, nothing is
    rebuilt (the report says so, `up_to_date`); `full_refresh` always rebuilds.
    """
    if not full_refresh:
        release = up_to_date_release(settings())
        if release is not None:
            return RunReport(run_id="-", success=True, published_release=release, up_to_date=True)
    # parse the dbt project if it changed since its manifest (resources.ManifestPreparer),
    # then load the asset graph from that manifest
    dbt_project.prepare_if_dev()
    from .definitions import defs

    job = defs.resolve_job_def("cx_warehouse")
    dbt_config = {"config": {"full_refresh": full_refresh}}
    run_config = {"ops": {DBT_STEP: dbt_config, CLV_MARTS_STEP: dbt_config}}
    with ExitStack() as stack:
        if log_path is not None:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            log_file = stack.enter_context(open(log_path, "w", encoding="utf-8"))
            stack.enter_context(redirect_stdout(log_file))
            stack.enter_context(redirect_stderr(log_file))
        instance = (
            stack.enter_context(DagsterInstance.get())
            if os.environ.get("DAGSTER_HOME")
            else stack.enter_context(DagsterInstance.ephemeral())
        )
        result = job.execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False
        )
        logs = instance.all_logs(result.run_id)
    report = _report(result, logs)
    report.log_path = log_path
    return report


def _report(result, logs) -> RunReport:
    report = RunReport(run_id=result.run_id, success=result.success)
    started: dict[str, float] = {}
    seconds: dict[str, float] = defaultdict(float)
    for entry in logs:
        event = entry.dagster_event
        if event is None:
            continue
        step = event.step_key
        if event.event_type == DagsterEventType.STEP_START:
            started[step] = entry.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            if step in started:
                seconds[_phase(step)] += entry.timestamp - started.pop(step)
            if event.event_type == DagsterEventType.STEP_FAILURE:
                report.failed_steps.append(step)
                error = event.step_failure_data.error
                if error is not None:
                    report.errors.append(f"{step}: {error.message.strip()}")
        elif event.event_type == DagsterEventType.RESOURCE_INIT_FAILURE:
            # e.g. the writer lock: another run is writing the warehouse
            error = event.engine_event_data.error
            while error is not None and error.cause is not None:
                error = error.cause
            if error is not None:
                report.errors.append(f"resources: {error.message.strip()}")
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialization = event.step_materialization_data.materialization
            key = materialization.asset_key
            metadata = {k: v.value for k, v in materialization.metadata.items()}
            if key.path[0] == "raw":
                for name in ("new_files", "files_quarantined", "files_ignored"):
                    report.files[name] = report.files.get(name, 0) + int(metadata.get(name, 0))
                for name in ("rows_read", "rows_loaded", "rows_quarantined", "rows_suppressed"):
                    report.rows[name] = report.rows.get(name, 0) + int(metadata.get(name, 0))
            elif key.path[0] == "serving":
                report.published_release = str(metadata.get("release_id"))
            else:
                report.models_built += 1
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            report.checks.append(
                CheckOutcome(
                    asset=evaluation.asset_key.to_user_string(),
                    name=evaluation.check_name,
                    passed=evaluation.passed,
                    severity=(evaluation.severity or AssetCheckSeverity.ERROR).value,
                    description=evaluation.description or "",
                )
            )
    report.phase_seconds = dict(seconds)
    return report


def _tenths(seconds: float) -> float:
    return round(seconds, 1)


def report_summary(report: RunReport) -> dict[str, Any]:
    """The run's summary as JSON-ready data: what `cxw run --json` prints on stdout.

    Keys: run_id; status ("ok", "failed" or "up_to_date": nothing new, nothing rebuilt);
    ok (bool, as the exit code); files {new, quarantined, ignored} (counts of landing
    files); rows {read, loaded, quarantined}; models {built}; checks {passed, failed
    (blocking), warnings, failures: [{asset, name, severity, description}]}; phases
    {ingest, dbt, checks, publish} and seconds (their total), in seconds to 0.1 s as
    format_report prints them; release (the id published or kept, or null); errors
    (strings); log (the log file, or null).
    """
    warnings = [c for c in report.checks if not c.passed and c.severity != "ERROR"]
    phases = {name: _tenths(seconds) for name, seconds in report.phase_seconds.items()}
    f, r = report.files, report.rows
    return {
        "run_id": report.run_id,
        "status": "up_to_date" if report.up_to_date else ("ok" if report.ok else "failed"),
        "ok": report.ok,
        "files": {
            "new": f.get("new_files", 0),
            "quarantined": f.get("files_quarantined", 0),
            "ignored": f.get("files_ignored", 0),
        },
        "rows": {
            "read": r.get("rows_read", 0),
            "loaded": r.get("rows_loaded", 0),
            "quarantined": r.get("rows_quarantined", 0),
            "suppressed": r.get("rows_suppressed", 0),
        },
        "models": {"built": report.models_built},
        "checks": {
            "passed": sum(c.passed for c in report.checks),
            "failed": len(report.blocking_failures),
            "warnings": len(warnings),
            "failures": [asdict(c) for c in report.blocking_failures + warnings],
        },
        "phases": phases,
        "seconds": _tenths(sum(report.phase_seconds.values())),
        "release": report.published_release,
        "errors": list(report.errors),
        "log": str(report.log_path) if report.log_path is not None else None,
    }


def format_report(report: RunReport) -> str:
    if report.up_to_date:
        return "\n".join(
            [
                "run skipped: OK, up to date",
                "  files   : 0 new (every landing file is already handled)",
                "  code    : no change to the code or configuration since the release",
                f"  publish : release {report.published_release} stays current "
                "(cxw run --full-refresh rebuilds anyway)",
            ]
        )
    lines = [f"run {report.run_id}: {'OK' if report.ok else 'FAILED'}"]
    f, r = report.files, report.rows
    lines.append(
        f"  files   : {f.get('new_files', 0)} new, "
        f"{f.get('files_quarantined', 0)} quarantined whole"
        + (f", {f['files_ignored']} ignored (see raw.load_log)" if f.get("files_ignored") else "")
    )
    lines.append(
        f"  rows    : {r.get('rows_read', 0)} read, {r.get('rows_loaded', 0)} loaded, "
        f"{r.get('rows_quarantined', 0)} quarantined"
        + (
            f", {r['rows_suppressed']} suppressed (erased people, cxw forget)"
            if r.get("rows_suppressed")
            else ""
        )
    )
    lines.append(f"  models  : {report.models_built} built")
    passed = sum(c.passed for c in report.checks)
    warnings = [c for c in report.checks if not c.passed and c.severity != "ERROR"]
    lines.append(
        f"  checks  : {passed} passed, {len(report.blocking_failures)} failed (blocking), "
        f"{len(warnings)} warnings"
    )
    for check in report.blocking_failures + warnings:
        kind = "FAILED " if check.severity == "ERROR" else "warning"
        detail = f": {check.description}" if check.description else ""
        lines.append(f"    {kind} {check.asset} {check.name}{detail}")
    total = sum(report.phase_seconds.values())
    phases = ", ".join(
        f"{name} {report.phase_seconds[name]:.1f}s"
        for name in ("ingest", "dbt", "checks", "publish")
        if name in report.phase_seconds
    )
    lines.append(f"  time    : {total:.1f}s ({phases})")
    lines.append(
        f"  publish : release {report.published_release}"
        if report.published_release
        else "  publish : nothing published; the last good release stays in place"
    )
    for error in report.errors:
        lines.append(f"  error   : {error}")
    if report.log_path is not None:
        lines.append(f"  log     : {report.log_path}")
    return "\n".join(lines)
