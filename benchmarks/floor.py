"""Run the hand-written floor (floor.sql) on a landing folder and print its KPIs as JSON.

    python -m benchmarks.floor LANDING_DIR [--threads N] [--memory-limit 3GB]

The benchmark runs this in a subprocess so that its wall time and peak memory are
measured the same way as the pipeline's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import duckdb

FLOOR_SQL = Path(__file__).with_name("floor.sql")


def run_floor(landing_dir: Path, *, threads: int, memory_limit: str) -> dict:
    """The all_time / overall KPIs straight from the landing files, and the query time."""
    script = FLOOR_SQL.read_text(encoding="utf-8")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cxw-floor-") as spill:
        con = duckdb.connect()
        try:
            con.execute(f"set threads = {int(threads)}")
            con.execute(f"set memory_limit = '{memory_limit}'")
            con.execute(f"set temp_directory = '{spill}'")
            con.execute("set TimeZone = 'UTC'")
            cwd = Path.cwd()
            os.chdir(landing_dir)  # floor.sql reads entity folders relative to the landing dir
            try:
                rows = con.execute(script).fetchall()
            finally:
                os.chdir(cwd)
        finally:
            con.close()
    return {
        "seconds": time.perf_counter() - started,
        "kpis": {kpi: {"value": value, "sample_size": size} for kpi, value, size in rows},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.floor", description=__doc__)
    parser.add_argument("landing", type=Path)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-limit", default="3GB")
    args = parser.parse_args(argv)
    result = run_floor(args.landing, threads=args.threads, memory_limit=args.memory_limit)
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
