"""The benchmark's report: ratios against the targets, growth from scale to scale, and
the table printed per memory limit."""

from __future__ import annotations

import itertools
import math

GIB = 1024**3

# Targets at the largest scale measured (issue 8).
TARGETS = {
    "full_over_floor": ("full run / floor", 3.0),
    "incremental_over_full": ("incremental / full run", 0.05),
    "peak_rss_gib": ("peak memory (GiB)", 4.0),
    "checks_over_full": ("quality checks / full run", 0.20),
}


def _div(a: float | None, b: float | None) -> float | None:
    return round(a / b, 4) if a is not None and b else None


def ratios(result: dict) -> dict:
    full, floor, incremental = result["full"], result["floor"], result["incremental"]
    checks = full["phases"].get("checks") if full["ok"] else None
    return {
        "full_over_floor": _div(full["wall_seconds"], floor["wall_seconds"]),
        "incremental_over_full": _div(incremental["wall_seconds"], full["wall_seconds"]),
        "checks_over_full": _div(checks, full["pipeline_seconds"]),
        "peak_rss_gib": round(
            max(full["peak_rss_bytes"] or 0, incremental["peak_rss_bytes"] or 0) / GIB, 3
        ),
    }


def _rows(result: dict) -> int | None:
    rows = result["data"].get("rows") or {}
    return sum(rows.values()) if rows else result["full"].get("rows_read")


def growth(results: list[dict]) -> list[dict]:
    """How time grows from one scale to the next; exponent 1.0 is linear in the rows."""
    steps = []
    for small, large in itertools.pairwise(results):
        rows_small, rows_large = _rows(small), _rows(large)
        step = {"from": small["scale"], "to": large["scale"]}
        step["rows_ratio"] = _div(rows_large, rows_small)
        for part in ("full", "floor", "incremental"):
            time_ratio = _div(large[part]["wall_seconds"], small[part]["wall_seconds"])
            step[f"{part}_time_ratio"] = time_ratio
            step[f"{part}_exponent"] = (
                round(math.log(time_ratio) / math.log(step["rows_ratio"]), 3)
                if time_ratio and step["rows_ratio"] and step["rows_ratio"] > 1
                else None
            )
        steps.append(step)
    return steps


def check_targets(results: list[dict]) -> dict:
    largest = results[-1]
    checks = []
    for key, (label, limit) in TARGETS.items():
        value = largest["ratios"].get(key)
        checks.append(
            {
                "name": key,
                "label": label,
                "target": limit,
                "value": value,
                "met": value is not None and value <= limit,
            }
        )
    return {"scale": largest["scale"], "checks": checks}


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def format_report(report: dict) -> str:
    """One table per memory limit (see format_table)."""
    sections = []
    for section in report["by_memory_limit"]:
        label = section["memory_limit"]
        if section["memory_limit_given"] == "default":
            label += " (the default for this machine)"
        sections.append(f"memory limit {label}:\n" + format_table(section))
    return "\n\n".join(sections)


def format_table(report: dict) -> str:
    header = (
        f"{'scale':<8} {'rows':>10} {'full s':>8} {'ingest':>7} {'dbt':>7} {'checks':>7} "
        f"{'publish':>7} {'floor s':>8} {'incr s':>7} {'full/fl':>7} {'incr/full':>9} "
        f"{'chk/full':>8} {'peak GiB':>8} {'floor GiB':>9}"
    )
    lines = [header, "-" * len(header)]
    for r in report["scales"]:
        full, phases = r["full"], r["full"]["phases"]
        lines.append(
            f"{r['scale']:<8} {_rows(r) or 0:>10} "
            f"{_fmt(full['wall_seconds']):>8}{'' if full['ok'] else '!'} "
            + " ".join(f"{_fmt(phases.get(p)):>7}" for p in ("ingest", "dbt", "checks", "publish"))
            + f" {_fmt(r['floor']['wall_seconds']):>8} "
            f"{_fmt(r['incremental']['wall_seconds']):>7} "
            f"{_fmt(r['ratios']['full_over_floor'], '.2f'):>7} "
            f"{_fmt(r['ratios']['incremental_over_full'], '.3f'):>9} "
            f"{_fmt(r['ratios']['checks_over_full'], '.3f'):>8} "
            f"{_fmt(r['ratios']['peak_rss_gib'], '.2f'):>8} "
            f"{_fmt(r['floor']['peak_rss_bytes'] / GIB, '.2f'):>9}"
        )
    for step in report["growth"]:
        lines.append(
            f"growth {step['from']} -> {step['to']}: rows x{_fmt(step['rows_ratio'])}, "
            f"full x{_fmt(step['full_time_ratio'])} (exponent {_fmt(step['full_exponent'], '.2f')})"
            f", floor x{_fmt(step['floor_time_ratio'])}, "
            f"incremental x{_fmt(step['incremental_time_ratio'])}"
        )
    for r in report["scales"]:
        delta = r["incremental"].get("published_delta")
        if delta and delta["rows"]:
            added = sum(r["incremental"].get("rows_added", {}).values())
            lines.append(
                f"published rows the incremental run changed at {r['scale']}: "
                f"{delta['changed']} of {delta['rows']} ({100 * delta['changed_share']:.1f} %) "
                f"for {added} rows landed"
            )
    targets = report["targets"]
    lines.append(f"targets at scale {targets['scale']}:")
    for check in targets["checks"]:
        verdict = "met   " if check["met"] else "MISSED" if check["value"] is not None else "-     "
        lines.append(
            f"  {verdict} {check['label']:<26} "
            f"{_fmt(check['value'], '.3f'):>8} (target <= {check['target']})"
        )
    failed = [r["scale"] for r in report["scales"] if not (r["full"]["ok"] and r["floor"]["ok"])]
    if failed:
        lines.append(f"FAILED runs at: {', '.join(failed)} (see output_tail in the JSON)")
    return "\n".join(lines)
