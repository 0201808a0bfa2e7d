"""A crash at any step: SIGKILL the run at each fail point in turn, then run again.

Each case starts from the same loaded warehouse with two new order files in the landing
folder, kills a run at one fail point (orchestration/failpoints.py: inside a file's load,
between two files, inside the dbt build, during the quality checks, half-way through the
release copy, between the swap and the clean-up), and checks that
- the last good release stays readable while the run is dead,
- the next run completes and publishes the same marts as an uninterrupted run,
- raw holds no half file and no duplicate (the same rows as the uninterrupted run), and
  every file's rows read = loaded + quarantined,
- no half-written release file is left behind.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from orchestration import serving
from orchestration.failpoints import FAILPOINTS
from tests.conftest import CXW, REPO, cxw_env, run_cxw
from tests.test_pipeline import copy_data_dir, mart_fingerprints, raw_counts

pytestmark = pytest.mark.slow


def _add_new_orders(data_dir: Path) -> None:
    """Two order files no run has seen (changed copies of the last one)."""
    folder = data_dir / "landing" / "crm" / "orders"
    last = sorted(folder.glob("*.csv"))[-1].read_text()
    (folder / "zz_new_a.csv").write_text(last + "\n")
    (folder / "zz_new_b.csv").write_text(last + "\n\n")


def _state(data_dir: Path) -> dict:
    """What a finished run leaves: published marts, raw rows, and the load log's balance."""
    warehouse = data_dir / "warehouse" / "cx.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        unbalanced = con.execute(
            "select count(*) from raw.load_log where rows_read != rows_loaded + rows_quarantined"
        ).fetchone()[0]
        batches = con.execute(
            "select count(*), count(distinct batch_id), count(distinct file_path) from raw.load_log"
        ).fetchone()
    return {
        "marts": mart_fingerprints(data_dir / "serving" / "cx.duckdb"),
        "raw": raw_counts(warehouse),
        "unbalanced_files": unbalanced,
        "batches": batches,
    }


@pytest.fixture(scope="module")
def base_dir(pipeline_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("crash") / "base"
    copy_data_dir(pipeline_dir, data_dir)
    _add_new_orders(data_dir)
    return data_dir


@pytest.fixture(scope="module")
def uninterrupted(base_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    data_dir = tmp_path_factory.mktemp("crash") / "uninterrupted"
    copy_data_dir(base_dir, data_dir)
    result = run_cxw("run", env=cxw_env(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    return _state(data_dir)


@pytest.mark.parametrize("point", FAILPOINTS)
def test_a_run_killed_at_any_step_recovers(
    point: str, base_dir: Path, uninterrupted: dict, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    copy_data_dir(base_dir, data_dir)
    serving_path = data_dir / "serving" / "cx.duckdb"
    before = serving.current_release(serving_path)

    killed = subprocess.run(
        [CXW, "run"],
        env=cxw_env(data_dir, CXW_FAILPOINTS=point),
        cwd=REPO,
        start_new_session=True,  # the fail point kills the run's process group, not pytest
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert killed.returncode == -9, f"{point} was not reached:\n{killed.stdout[-2000:]}"

    # the last good release is still served and readable
    current = serving.current_release(serving_path)
    assert current == before or point == "publish.after_swap"
    with duckdb.connect(str(serving_path), read_only=True) as con:
        assert con.execute("select count(*) from marts.kpi_scorecard").fetchone()[0] > 0

    recovered = run_cxw("run", env=cxw_env(data_dir))
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert _state(data_dir) == uninterrupted
    leftovers = [p.name for p in serving.releases_dir(serving_path).iterdir() if ".tmp" in p.name]
    assert leftovers == []
    assert not os.path.exists(f"{serving_path}.wal")
