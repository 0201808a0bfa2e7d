"""The benchmark: the pipeline against a hand-written DuckDB script, at several scales.

    python -m benchmarks.run [--scales default,100k,1m,3m] [--memory-limit default,3GB]
                             [--out data/bench]

At each scale, on the same landing files (generated once and cached under
<out>/cache/<scale>-<key>/):

- full: `cxw run` on an empty warehouse (load, dbt, checks, publish), with its phases;
- floor: benchmarks/floor.sql, one DuckDB script that computes the all_time KPIs straight
  from the landing files (`python -m benchmarks.floor`);
- incremental: `cxw run` again after about 1 % more data has landed; and how many of the
  published rows that run changed (its release against the full run's, table by table).

Each is a subprocess; wall time and the peak RSS of its whole process tree are measured
(benchmarks/sampler.py). Every scale runs under each memory limit given (`default`: the
pipeline's default for the machine). Prints a table per limit; writes
<out>/results-<timestamp>.json and <out>/latest.json. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import platform
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration import serving
from orchestration.config import REPO_ROOT, default_memory_limit, settings

from .increment import write_increment
from .sampler import Measurement, measure

GIB = 1024**3


@dataclass(frozen=True)
class Scale:
    name: str
    customers: int
    days: int = 365
    seed: int = 42

    def generate_args(self) -> list[str]:
        return [
            *("--customers", str(self.customers)),
            *("--days", str(self.days)),
            *("--seed", str(self.seed)),
        ]


# The issue's three scales, plus `tiny` for the smoke test. Event, answer and ticket
# volumes follow from the number of customers (the generator's per-customer rates).
SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", customers=300, days=60, seed=7),
    "default": Scale("default", customers=2_000),  # `cxw generate` defaults: the sample
    "100k": Scale("100k", customers=100_000),
    "1m": Scale("1m", customers=1_000_000),
    # three times 1m (57 M rows landed): how time and memory grow past the largest scale
    "3m": Scale("3m", customers=3_000_000),
}

# The memory limits each scale runs under by default: the pipeline's own default (a share
# of the machine, orchestration.config.default_memory_limit) and a fixed 3 GB, which
# shows whether the run completes in little memory by spilling to disk.
DEFAULT_MEMORY_LIMITS = "default,3GB"

# Targets at the largest scale measured (issue 8).
TARGETS = {
    "full_over_floor": ("full run / floor", 3.0),
    "incremental_over_full": ("incremental / full run", 0.05),
    "peak_rss_gib": ("peak memory (GiB)", 4.0),
    "checks_over_full": ("quality checks / full run", 0.20),
}

_TIME = re.compile(r"^\s*time\s*:\s*([\d.]+)s\s*\((.*)\)", re.MULTILINE)
_ROWS = re.compile(r"^\s*rows\s*:\s*(\d+) read, (\d+) loaded, (\d+) quarantined", re.MULTILINE)
_STATUS = re.compile(r"^run \S+: (OK|FAILED)", re.MULTILINE)


def _cxw() -> str:
    return str(Path(sys.executable).with_name("cxw"))


def _generator_fingerprint() -> str:
    """A hash of the generator's code, so a changed generator regenerates the cache."""
    digest = hashlib.sha256()
    for path in sorted((REPO_ROOT / "orchestration" / "generator").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _cache_key(scale: Scale) -> str:
    parameters = json.dumps(
        {"customers": scale.customers, "days": scale.days, "seed": scale.seed}, sort_keys=True
    )
    return hashlib.sha256((parameters + _generator_fingerprint()).encode()).hexdigest()[:12]


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CXW_", "DAGSTER_HOME"))}
    # as in an activated virtualenv: the pipeline finds `dbt` next to `cxw`
    venv_bin = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([venv_bin, env.get("PATH", "")])
    env.update(extra)
    return env


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def ensure_landing(scale: Scale, cache_dir: Path) -> tuple[Path, dict]:
    """The cached landing folder of a scale, generated on first use; and how it was made."""
    folder = cache_dir / f"{scale.name}-{_cache_key(scale)}"
    done = folder / "complete.json"
    if done.exists():
        info = json.loads(done.read_text())
        info["cached"] = True
        return folder / "landing", info
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"[{scale.name}] generating {scale.customers} customers, {scale.days} days ...")
    m = measure(
        [
            _cxw(),
            "generate",
            "--out",
            str(folder / "landing"),
            "--truth",
            str(folder / "ground_truth"),
            *scale.generate_args(),
        ],
        env=_clean_env(),
        cwd=REPO_ROOT,
    )
    if m.returncode != 0:
        raise RuntimeError(f"cxw generate failed for scale {scale.name}:\n{_tail(m.stderr)}")
    summary_path = folder / "ground_truth" / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    info = {
        "parameters": asdict(scale),
        "generate_seconds": round(m.seconds, 2),
        "rows": summary.get("rows", {}),
        "landing_bytes": sum(
            p.stat().st_size for p in (folder / "landing").rglob("*") if p.is_file()
        ),
    }
    done.write_text(json.dumps(info, indent=2))
    info["cached"] = False
    return folder / "landing", info


def _link_tree(source: Path, target: Path) -> None:
    """A copy of `source` made of hard links (the pipeline only reads landing files)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link)


def _warm_page_cache(folder: Path) -> None:
    """Read every file once, so neither contender pays for cold disk reads."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                while handle.read(1 << 24):
                    pass


def parse_run_output(stdout: str) -> dict:
    """Status, rows and phase times from `cxw run`'s report (orchestration/runner.py)."""
    status = _STATUS.search(stdout)
    rows = _ROWS.search(stdout)
    time_line = _TIME.search(stdout)
    phases = {}
    if time_line:
        for name, seconds in re.findall(r"(\w+) ([\d.]+)s", time_line.group(2)):
            phases[name] = float(seconds)
    return {
        "ok": bool(status and status.group(1) == "OK"),
        "pipeline_seconds": float(time_line.group(1)) if time_line else None,
        "phases": phases,
        "rows_read": int(rows.group(1)) if rows else None,
        "rows_loaded": int(rows.group(2)) if rows else None,
        "rows_quarantined": int(rows.group(3)) if rows else None,
    }


def _run_result(m: Measurement) -> dict:
    result = parse_run_output(m.stdout)
    result.update(
        wall_seconds=round(m.seconds, 3),
        peak_rss_bytes=m.peak_rss_bytes,
        returncode=m.returncode,
    )
    if m.returncode != 0 or not result["ok"]:
        result["ok"] = False
        result["output_tail"] = _tail(m.stdout + "\n" + m.stderr, 30)
    return result


def _pipeline_kpis(serving_path: Path) -> dict[str, float | None]:
    if not serving_path.exists():
        return {}
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        rows = con.execute(
            "select kpi, value from marts.kpi_scorecard "
            "where grain = 'all_time' and dimension = 'overall'"
        ).fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return dict(rows)


def release_delta(before: Path, after: Path, schema: str = "marts") -> dict:
    """How much of one release another changed, table by table (rows compared whole).

    changed: rows of `after` that `before` does not have (`except all`, so a duplicated row
    counts as often as it is new); removed: rows of `before` that `after` no longer has.
    A table only in `after` is all changed; one only in `before` is all removed.
    """
    con = duckdb.connect()
    try:
        con.execute("attach ? as before_release (read_only)", [str(before)])
        con.execute("attach ? as after_release (read_only)", [str(after)])

        def tables(catalog: str) -> set[str]:
            return {
                name
                for (name,) in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_catalog = ? and table_schema = ?",
                    [catalog, schema],
                ).fetchall()
            }

        def count(sql: str) -> int:
            return con.execute(f"select count(*) from ({sql})").fetchone()[0]

        before_tables, after_tables = tables("before_release"), tables("after_release")
        result: dict[str, dict[str, int]] = {}
        for table in sorted(before_tables | after_tables):
            old = f'before_release.{schema}."{table}"'
            new = f'after_release.{schema}."{table}"'
            rows = count(f"from {new}") if table in after_tables else 0
            if table in before_tables and table in after_tables:
                changed = count(f"from {new} except all from {old}")
                removed = count(f"from {old} except all from {new}")
            else:
                changed = rows
                removed = count(f"from {old}") if table in before_tables else 0
            result[table] = {"rows": rows, "changed": changed, "removed": removed}
    finally:
        con.close()
    rows = sum(t["rows"] for t in result.values())
    changed = sum(t["changed"] for t in result.values())
    return {
        "tables": result,
        "rows": rows,
        "changed": changed,
        "changed_share": round(changed / rows, 4) if rows else None,
    }


def compare_kpis(floor: dict, pipeline: dict) -> dict:
    """Floor against pipeline, KPI by KPI (they differ where the floor stitches less).

    Only the KPIs the floor computes: the floor is the minimum SQL for the contract's
    original KPIs, not for the service-level ones (business hours, SLAs) added later.
    """
    compared = {}
    for kpi in sorted(floor):
        f = floor.get(kpi, {}).get("value")
        p = pipeline.get(kpi)
        f = None if f is None or (isinstance(f, float) and math.isnan(f)) else f
        difference = None
        if f is not None and p is not None:
            difference = abs(f - p) / max(abs(p), 1e-9)
        compared[kpi] = {
            "floor": f,
            "pipeline": p,
            "relative_difference": round(difference, 6) if difference is not None else None,
        }
    return compared


def bench_scale(
    scale: Scale,
    out: Path,
    *,
    threads: int,
    memory_limit: str,
    fraction: float,
    keep_work: bool,
) -> dict:
    landing_cache, data_info = ensure_landing(scale, out / "cache")
    work = out / "work" / scale.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    landing = work / "landing"
    _link_tree(landing_cache, landing)
    _warm_page_cache(landing)
    env = _clean_env(
        CXW_DATA_DIR=str(work / "data"),
        CXW_LANDING_DIR=str(landing),
        CXW_THREADS=str(threads),
        CXW_MEMORY_LIMIT=memory_limit,
        DBT_TARGET_PATH=str(work / "target"),
    )
    result: dict = {"scale": scale.name, "data": data_info}

    print(f"[{scale.name}] full run ...", flush=True)
    full = _run_result(measure([_cxw(), "run"], env=env, cwd=REPO_ROOT))
    result["full"] = full
    serving_path = work / "data" / "serving" / "cx.duckdb"
    full_release = serving.current_release(serving_path)
    pipeline_kpis = _pipeline_kpis(serving_path)

    print(f"[{scale.name}] floor ...", flush=True)
    floor_cmd = [sys.executable, "-m", "benchmarks.floor", str(landing)]
    floor_cmd += ["--threads", str(threads), "--memory-limit", memory_limit]
    m = measure(floor_cmd, env=_clean_env(), cwd=REPO_ROOT)
    floor: dict = {
        "ok": m.returncode == 0,
        "wall_seconds": round(m.seconds, 3),
        "peak_rss_bytes": m.peak_rss_bytes,
    }
    floor_kpis = {}
    if m.returncode == 0:
        output = json.loads(m.stdout)
        floor["query_seconds"] = round(output["seconds"], 3)
        floor_kpis = output["kpis"]
    else:
        floor["output_tail"] = _tail(m.stderr, 30)
    result["floor"] = floor
    result["kpis"] = compare_kpis(floor_kpis, pipeline_kpis)

    batches = write_increment(landing, fraction=fraction, seed=scale.seed)
    print(f"[{scale.name}] incremental run (+{sum(b.rows for b in batches)} rows) ...", flush=True)
    incremental = _run_result(measure([_cxw(), "run"], env=env, cwd=REPO_ROOT))
    incremental["rows_added"] = {b.entity: b.rows for b in batches}
    incremental_release = serving.current_release(serving_path)
    if full_release and incremental_release and incremental_release != full_release:
        # what any incremental strategy would still have to rewrite and publish
        incremental["published_delta"] = release_delta(full_release, incremental_release)
    result["incremental"] = incremental
    result["ratios"] = ratios(result)
    if not keep_work:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _div(a: float | None, b: float | None) -> float | None:
    return round(a / b, 4) if a is not None and b else None


def ratios(result: dict) -> dict:
    full, floor, incremental = result["full"], result["floor"], result["incremental"]
    checks = full["phases"].get("checks") if full["ok"] else None
    return {
        "full_over_floor": _div(full["wall_seconds"], floor["wall_seconds"]),
        "incremental_over_full": _div(incremental["wall_seconds"], full["wall_seconds"]),
        "checks_over_full": _div(checks, full["pipeline_seconds"]),
        "peak_rss_gib": round(max(full["peak_rss_bytes"], incremental["peak_rss_bytes"]) / GIB, 3),
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
        lines.append(
            f"  {'met   ' if check['met'] else 'MISSED'} {check['label']:<26} "
            f"{_fmt(check['value'], '.3f'):>8} (target <= {check['target']})"
        )
    failed = [r["scale"] for r in report["scales"] if not (r["full"]["ok"] and r["floor"]["ok"])]
    if failed:
        lines.append(f"FAILED runs at: {', '.join(failed)} (see output_tail in the JSON)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument(
        "--scales",
        default="default,100k,1m,3m",
        help=f"comma-separated, smallest first; known: {', '.join(SCALES)}",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="results folder (default $CXW_DATA_DIR/bench)"
    )
    parser.add_argument("--threads", type=int, default=settings().threads)
    parser.add_argument(
        "--memory-limit",
        default=DEFAULT_MEMORY_LIMITS,
        help="comma-separated DuckDB memory limits, each a run of every scale; `default` is "
        f"the pipeline's default for this machine (default: {DEFAULT_MEMORY_LIMITS})",
    )
    parser.add_argument("--increment", type=float, default=0.01, help="share of new data")
    parser.add_argument("--keep-work", action="store_true", help="keep the warehouses built")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.scales.split(",") if n.strip()]
    unknown = [n for n in names if n not in SCALES]
    if unknown:
        parser.error(f"unknown scale(s) {', '.join(unknown)}; known: {', '.join(SCALES)}")
    out = (args.out or settings().data_dir / "bench").resolve()
    out.mkdir(parents=True, exist_ok=True)

    limits = [n.strip() for n in args.memory_limit.split(",") if n.strip()]
    started = datetime.now(UTC)
    sections = []
    for given in limits:
        limit = default_memory_limit(args.threads) if given == "default" else given
        results = []
        for name in names:
            print(f"[{name}] memory limit {limit}", flush=True)
            results.append(
                bench_scale(
                    SCALES[name],
                    out,
                    threads=args.threads,
                    memory_limit=limit,
                    fraction=args.increment,
                    keep_work=args.keep_work,
                )
            )
        sections.append(
            {
                "memory_limit": limit,
                "memory_limit_given": given,
                "scales": results,
                "growth": growth(results),
                "targets": check_targets(results),
            }
        )
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_bytes": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
        },
        "settings": {
            "threads": args.threads,
            "memory_limits": [section["memory_limit"] for section in sections],
            "increment": args.increment,
        },
        # the first memory limit's results at the top level, every limit's in by_memory_limit
        "scales": sections[0]["scales"],
        "growth": sections[0]["growth"],
        "targets": sections[0]["targets"],
        "by_memory_limit": sections,
    }
    text = json.dumps(report, indent=2, default=str)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    (out / f"results-{stamp}.json").write_text(text)
    (out / "latest.json").write_text(text)
    print(format_report(report))
    print(f"results: {out / f'results-{stamp}.json'}")
    ok = all(
        r["full"]["ok"] and r["floor"]["ok"] and r["incremental"]["ok"]
        for section in sections
        for r in section["scales"]
    )
    return 0 if ok else 1


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"benchmark took {time.perf_counter() - started:.0f}s")
    sys.exit(code)
