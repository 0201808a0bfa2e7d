"""Each quality suite as Dagster asset checks on the asset it guards.

A suite becomes one check op with up to two checks:

- ``<suite>``: its blocking expectations. ``blocking=True``: when it fails (severity
  ERROR) Dagster does not run the assets downstream, so the serving release is not
  published and the last good one stays in place;
- ``<suite>_warnings``: its warning expectations (severity WARN): shown, publish goes on
  (``blocking=True`` only makes the publish wait for them: the release records them).

The check reads the warehouse read-only and compares with the serving file (the last
published release) where the suite asks for it.
"""

# no `from __future__ import annotations`: Dagster reads the context annotation at runtime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from ..config import settings
from ..failpoints import failpoint
from .run import ExpectationOutcome, SuiteResult, run_suite
from .suites import BLOCKING, WARNING, Suite

WARNINGS_SUFFIX = "_warnings"


def _warehouse() -> Path:
    return settings().warehouse_path


def _serving() -> Path | None:
    path = settings().serving_path
    return path if path.exists() else None


def _table(outcomes: Sequence[ExpectationOutcome]) -> str:
    lines = [
        "| frame | expectation | column | result | unexpected | examples |",
        "|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        if o.skipped:
            result = "skipped"
        elif o.success:
            result = "passed"
        else:
            result = "**FAILED**" if o.severity == BLOCKING else "**warning**"
        unexpected = (
            f"{o.unexpected_count} / {o.element_count}"
            if o.unexpected_count is not None
            else (o.error or ("" if o.observed_value is None else f"observed {o.observed_value}"))
        )
        examples = ", ".join(str(e) for e in o.examples[:3]).replace("|", "\\|")
        name = o.expectation.removeprefix("expect_")
        lines.append(
            f"| {o.frame} | {name} | {o.target} | {result} | "
            f"{str(unexpected).replace('|', '/')} | {examples} |"
        )
    return "\n".join(lines)


def _description(failures: Sequence[ExpectationOutcome], what: str) -> str:
    if not failures:
        return f"all {what} expectations passed"
    seen: list[str] = []
    for o in failures:
        text = o.describe()
        if text not in seen:
            seen.append(text)
    shown = "; ".join(seen[:3])
    more = f" (+{len(seen) - 3} more)" if len(seen) > 3 else ""
    return f"{len(failures)} {what} expectation(s) failed: {shown}{more}"


def _metadata(result: SuiteResult, outcomes: Sequence[ExpectationOutcome]) -> dict:
    metadata = {
        "expectations": MetadataValue.md(_table(outcomes)),
        "failed": sum(not o.success for o in outcomes),
        "evaluated": len(outcomes),
        "rows_validated": result.rows_validated,
        "seconds": round(result.seconds, 3),
    }
    if result.docs_index is not None:
        metadata["data_docs"] = MetadataValue.path(str(result.docs_index))
    for page in result.docs_pages:
        metadata[f"data_docs_{page.parent.parent.parent.name}"] = MetadataValue.path(str(page))
    return metadata


def suite_check(
    suite: Suite,
    *,
    database: Callable[[], Path] = _warehouse,
    previous_release: Callable[[], Path | None] = _serving,
    additional_deps: Iterable[AssetKey] = (),
) -> AssetChecksDefinition:
    """The Dagster check op of one suite (see the module docstring)."""
    asset_key = AssetKey(list(suite.asset))
    deps = [AssetKey(list(path)) for path in suite.reads] + list(additional_deps)
    deps = [key for i, key in enumerate(deps) if key != asset_key and key not in deps[:i]]
    severities = suite.severities
    specs = []
    if BLOCKING in severities:
        specs.append(
            AssetCheckSpec(
                name=suite.name,
                asset=asset_key,
                description=f"{suite.description} (blocking expectations)",
                additional_deps=deps,
                blocking=True,
            )
        )
    if WARNING in severities:
        specs.append(
            AssetCheckSpec(
                name=suite.name + WARNINGS_SUFFIX,
                asset=asset_key,
                description=f"{suite.description} (warnings: reported, publish goes on)",
                additional_deps=deps,
                # WARN severity never stops a downstream asset; blocking makes the publish
                # wait for the check, so the release records the run's warnings
                blocking=True,
            )
        )

    @multi_asset_check(
        name=f"quality_{suite.name}",
        specs=specs,
        description=suite.description,
        can_subset=False,
    )
    def _check(context: AssetCheckExecutionContext):
        failpoint("checks.inside_suite")
        result = run_suite(
            database(),
            suite.name,
            previous_release=previous_release(),
            run_name=context.run.run_id,
        )
        log = context.log.error if result.blocking_failures else context.log.info
        log(result.summary())
        if BLOCKING in severities:
            outcomes = [o for o in result.outcomes if o.severity == BLOCKING]
            yield AssetCheckResult(
                asset_key=asset_key,
                check_name=suite.name,
                passed=not result.blocking_failures,
                severity=AssetCheckSeverity.ERROR,
                description=_description(result.blocking_failures, "blocking"),
                metadata=_metadata(result, outcomes),
            )
        if WARNING in severities:
            outcomes = [o for o in result.outcomes if o.severity == WARNING]
            yield AssetCheckResult(
                asset_key=asset_key,
                check_name=suite.name + WARNINGS_SUFFIX,
                passed=not result.warnings,
                severity=AssetCheckSeverity.WARN,
                description=_description(result.warnings, "warning"),
                metadata=_metadata(result, outcomes),
            )

    return _check


def suite_checks(
    suites: Iterable[Suite],
    *,
    known_assets: Iterable[AssetKey] | None = None,
    additional_deps: dict[str, Iterable[AssetKey]] | None = None,
    database: Callable[[], Path] = _warehouse,
    previous_release: Callable[[], Path | None] = _serving,
) -> list[AssetChecksDefinition]:
    """Checks for the suites whose asset exists (all of them when known_assets is None).

    `additional_deps` maps a suite name to more assets its check must wait for (e.g. all
    marts before comparing the release with the last one); unknown keys are dropped.
    """
    known = set(known_assets) if known_assets is not None else None
    extra = additional_deps or {}
    checks = []
    for suite in suites:
        if known is not None and AssetKey(list(suite.asset)) not in known:
            continue
        deps = list(extra.get(suite.name, ())) + [AssetKey(list(p)) for p in suite.reads]
        if known is not None:
            deps = [key for key in deps if key in known]
        checks.append(
            suite_check(
                replace(suite, reads=()),
                database=database,
                previous_release=previous_release,
                additional_deps=deps,
            )
        )
    return checks
