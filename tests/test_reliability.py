"""A run with nothing new, the sensor on a loaded warehouse, two runs at once, no network,
and everything a run writes under its own data folder."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from dagster import RunRequest, SkipReason, build_sensor_context

from orchestration import serving
from orchestration.resources import WarehouseResource, writer_lock
from tests.conftest import CXW, REPO, cxw_env, run_cxw
from tests.test_pipeline import copy_data_dir, mart_fingerprints

# the sensor reads the settings through the warehouse resource (fields unset: the env)
WAREHOUSE = {"warehouse": WarehouseResource()}


def _release_ids(serving_path: Path) -> list[str]:
    return [p.stem for p in serving.list_releases(serving_path)]


def test_run_with_nothing_new_ends_without_rebuilding(pipeline_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    copy_data_dir(pipeline_dir, data_dir)
    serving_path = data_dir / "serving" / "cx.duckdb"
    releases, marts = _release_ids(serving_path), mart_fingerprints(serving_path)
    logs_before = set((data_dir / "logs").glob("*"))

    result = run_cxw("run", env=cxw_env(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "run skipped: OK, up to date"
    assert "files   : 0 new" in result.stdout
    assert f"release {releases[-1]} stays current" in result.stdout
    assert _release_ids(serving_path) == releases  # nothing republished
    assert mart_fingerprints(serving_path) == marts
    # no Dagster run, no dbt: the skipped run leaves no log behind
    assert set((data_dir / "logs").glob("*")) == logs_before


def test_run_json_prints_the_summary_alone_on_stdout(pipeline_dir: Path, tmp_path: Path) -> None:
    """`cxw run --json` on a folder with nothing new: one JSON object on stdout (the release
    kept, nothing loaded), the human summary on stderr."""
    data_dir = tmp_path / "data"
    copy_data_dir(pipeline_dir, data_dir)
    current = _release_ids(data_dir / "serving" / "cx.duckdb")[-1]
    result = run_cxw("run", "--json", env=cxw_env(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)  # the whole of stdout is the one object
    assert (summary["status"], summary["ok"], summary["release"]) == ("up_to_date", True, current)
    assert summary["files"] == {"new": 0, "quarantined": 0, "ignored": 0}
    assert summary["rows"] == {"read": 0, "loaded": 0, "quarantined": 0, "suppressed": 0}
    assert "run skipped: OK, up to date" in result.stderr


def test_a_configuration_change_rebuilds(pipeline_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    copy_data_dir(pipeline_dir, data_dir)
    serving_path = data_dir / "serving" / "cx.duckdb"
    releases = _release_ids(serving_path)
    # publishing the pii schema as well changes what a release holds: not up to date
    result = run_cxw("run", env=cxw_env(data_dir, CXW_PUBLISH_PII="true"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "run skipped" not in result.stdout
    assert _release_ids(serving_path)[-1] not in releases


def test_sensor_does_not_start_a_run_for_files_already_loaded(
    pipeline_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orchestration.sensors import landing_folder_sensor

    data_dir = tmp_path / "data"
    copy_data_dir(pipeline_dir, data_dir)
    for name, value in cxw_env(data_dir).items():
        if name.startswith("CXW_"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("CXW_WAREHOUSE_PATH", raising=False)
    # as when the UI opens on a warehouse `cxw run` filled: no cursor, every file loaded
    assert isinstance(landing_folder_sensor(build_sensor_context(resources=WAREHOUSE)), SkipReason)

    orders = sorted((data_dir / "landing" / "crm" / "orders").glob("*.csv"))[-1]
    (orders.parent / "zz_new.csv").write_text(orders.read_text() + "\n")
    context = build_sensor_context(resources=WAREHOUSE)
    assert isinstance(landing_folder_sensor(context), RunRequest)
    # the same pending file does not ask twice
    again = landing_folder_sensor(build_sensor_context(cursor=context.cursor, resources=WAREHOUSE))
    assert isinstance(again, SkipReason)


def test_a_second_run_waits_for_the_writer_or_says_why(pipeline_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    copy_data_dir(pipeline_dir, data_dir)
    serving_path = data_dir / "serving" / "cx.duckdb"
    releases, marts = _release_ids(serving_path), mart_fingerprints(serving_path)
    orders = sorted((data_dir / "landing" / "crm" / "orders").glob("*.csv"))[-1]
    (orders.parent / "zz_new.csv").write_text(orders.read_text() + "\n")
    # another writer holds the build file: a run that may wait 2 s exits with the reason
    with writer_lock(data_dir / "warehouse" / "cx.duckdb"):
        result = run_cxw("run", env=cxw_env(data_dir, CXW_LOCK_WAIT_SECONDS="2"))
    assert result.returncode != 0
    assert "another run is writing" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert _release_ids(serving_path) == releases
    assert mart_fingerprints(serving_path) == marts


@pytest.mark.slow
def test_two_runs_at_once_both_end_well(pipeline_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    copy_data_dir(pipeline_dir, data_dir)
    orders = sorted((data_dir / "landing" / "crm" / "orders").glob("*.csv"))[-1]
    (orders.parent / "zz_new.csv").write_text(orders.read_text() + "\n")
    env = cxw_env(data_dir, CXW_LOCK_WAIT_SECONDS="900")
    runs = [
        subprocess.Popen(
            [CXW, "run"],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=1200) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    # one loaded the new file and published; the other waited for it, then found the file
    # loaded (a rebuild of the same data, or nothing to do)
    assert all("OK" in out.splitlines()[1] for out, _ in outputs), outputs
    with duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True) as con:
        loads = con.execute(
            "select count(*) from raw.load_log where file_path = 'crm/orders/zz_new.csv'"
        ).fetchone()[0]
        duplicates = con.execute(
            "select count(*) - count(distinct batch_id) from raw.load_log"
        ).fetchone()[0]
    assert (loads, duplicates) == (1, 0)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_a_run_needs_no_network_and_writes_only_under_its_data_folder(
    sample_dir: Path, tmp_path: Path
) -> None:
    if subprocess.run(["unshare", "-rn", "true"], check=False).returncode != 0:
        pytest.skip("this machine does not allow a network namespace (unshare -rn)")
    data_dir = tmp_path / "data"
    shutil.copytree(sample_dir / "landing", data_dir / "landing")
    env = cxw_env(data_dir)
    del env["DBT_TARGET_PATH"]  # the run must choose a folder under CXW_DATA_DIR by itself
    checkout_target = REPO / "target" / "run_results.json"
    before = checkout_target.stat().st_mtime_ns if checkout_target.exists() else None

    result = subprocess.run(
        ["unshare", "-rn", CXW, "run"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "OK" in result.stdout.splitlines()[1]
    assert (data_dir / "dbt" / "target" / "manifest.json").exists()
    assert list((data_dir / "dbt").rglob("dbt.log"))  # dbt's own log, under the data folder
    after = checkout_target.stat().st_mtime_ns if checkout_target.exists() else None
    assert after == before, "the run wrote dbt's run results into the project checkout"
