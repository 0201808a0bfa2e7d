"""The benchmark's measurements at one scale: a full run, the floor, an incremental run.

Each is a subprocess measured by benchmarks/sampler.py (wall time, peak RSS of its process
tree); a pipeline run is `cxw run --json`, whose summary (orchestration.runner.
report_summary) gives the run's status, rows and phase times.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from orchestration import serving
from orchestration.config import REPO_ROOT

from .cache import Scale, ensure_landing, link_tree, warm_page_cache
from .increment import write_increment
from .process import clean_env, cxw, tail
from .release import compare_kpis, pipeline_kpis, release_delta
from .report import ratios
from .sampler import Measurement, measure


def parse_run_output(stdout: str) -> dict:
    """Status, rows and phase times from the summary `cxw run --json` prints (its last line
    of standard output; see orchestration.runner.report_summary)."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    try:
        summary = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        summary = {}
    rows = summary.get("rows", {})
    return {
        "ok": bool(summary.get("ok")) and summary.get("status") == "ok",
        "pipeline_seconds": summary.get("seconds"),
        "phases": summary.get("phases", {}),
        "rows_read": rows.get("read"),
        "rows_loaded": rows.get("loaded"),
        "rows_quarantined": rows.get("quarantined"),
        "models_built": summary.get("models", {}).get("built"),
        "release": summary.get("release"),
    }


def run_result(m: Measurement) -> dict:
    result = parse_run_output(m.stdout)
    result.update(
        wall_seconds=round(m.seconds, 3),
        peak_rss_bytes=m.peak_rss_bytes,
        returncode=m.returncode,
    )
    if m.returncode != 0 or not result["ok"]:
        result["ok"] = False
        result["output_tail"] = tail(m.stdout + "\n" + m.stderr, 30)
    return result


def bench_scale(
    scale: Scale,
    out: Path,
    *,
    threads: int,
    memory_limit: str,
    fraction: float | None,
    keep_work: bool,
) -> dict:
    """The full run, the floor and (unless `fraction` is None) the incremental run at one
    scale; the JSON of one scale in the report (see benchmarks/README.md)."""
    landing_cache, data_info = ensure_landing(scale, out / "cache")
    work = out / "work" / scale.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    landing = work / "landing"
    link_tree(landing_cache, landing)
    warm_page_cache(landing)
    env = clean_env(
        CXW_DATA_DIR=str(work / "data"),
        CXW_LANDING_DIR=str(landing),
        CXW_THREADS=str(threads),
        CXW_MEMORY_LIMIT=memory_limit,
        DBT_TARGET_PATH=str(work / "target"),
    )
    result: dict = {"scale": scale.name, "data": data_info}

    print(f"[{scale.name}] full run ...", flush=True)
    full = run_result(measure([cxw(), "run", "--json"], env=env, cwd=REPO_ROOT))
    result["full"] = full
    serving_path = work / "data" / "serving" / "cx.duckdb"
    kpis = pipeline_kpis(serving_path)

    print(f"[{scale.name}] floor ...", flush=True)
    floor_cmd = [sys.executable, "-m", "benchmarks.floor", str(landing)]
    floor_cmd += ["--threads", str(threads), "--memory-limit", memory_limit]
    m = measure(floor_cmd, env=clean_env(), cwd=REPO_ROOT)
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
        floor["output_tail"] = tail(m.stderr, 30)
    result["floor"] = floor
    result["kpis"] = compare_kpis(floor_kpis, kpis)

    if fraction is None:
        result["incremental"] = SKIPPED
    else:
        result["incremental"] = _incremental(scale, landing, env, fraction, serving_path)
    result["ratios"] = ratios(result)
    if not keep_work:
        shutil.rmtree(work, ignore_errors=True)
    return result


# The incremental part of a scale run with --no-incremental: nothing measured.
SKIPPED: dict = {"ok": True, "skipped": True, "wall_seconds": None, "peak_rss_bytes": 0}


def _incremental(
    scale: Scale, landing: Path, env: dict, fraction: float, serving_path: Path
) -> dict:
    """`cxw run` again after `fraction` more data has landed, and what it republished."""
    full_release = serving.current_release(serving_path)
    batches = write_increment(landing, fraction=fraction, seed=scale.seed)
    print(f"[{scale.name}] incremental run (+{sum(b.rows for b in batches)} rows) ...", flush=True)
    incremental = run_result(measure([cxw(), "run", "--json"], env=env, cwd=REPO_ROOT))
    incremental["rows_added"] = {b.entity: b.rows for b in batches}
    incremental_release = serving.current_release(serving_path)
    if full_release and incremental_release and incremental_release != full_release:
        # what any incremental strategy would still have to rewrite and publish
        incremental["published_delta"] = release_delta(full_release, incremental_release)
    return incremental
