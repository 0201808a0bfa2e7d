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

One module a job: cache.py (the scales and their cached landing files), measure.py (the
runs at one scale, read from `cxw run --json`), release.py (release against release, floor
KPIs against the pipeline's), report.py (ratios, targets, growth, the table); this module
is the command line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.config import default_memory_limit, settings

from .cache import SCALES
from .measure import bench_scale
from .report import check_targets, format_report, growth

# The memory limits each scale runs under by default: the pipeline's own default (a share
# of the machine, orchestration.config.default_memory_limit) and a fixed 3 GB, which
# shows whether the run completes in little memory by spilling to disk.
DEFAULT_MEMORY_LIMITS = "default,3GB"


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
    parser.add_argument(
        "--no-incremental",
        action="store_true",
        help="skip the incremental run (it costs about a full run): full run and floor only",
    )
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
                    fraction=None if args.no_incremental else args.increment,
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
            "increment": None if args.no_incremental else args.increment,
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
