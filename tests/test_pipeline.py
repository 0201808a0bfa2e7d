"""The whole job through `cxw run`: end to end, re-runs, the sensor, a run killed mid-build."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
from dagster import RunRequest, build_sensor_context

from orchestration import serving
from orchestration.evaluation import evaluate_identity
from orchestration.resources import WarehouseResource
from tests.conftest import CXW, REPO, cxw_env, run_cxw

# the sensor reads the settings through the warehouse resource (fields unset: the env)
WAREHOUSE = {"warehouse": WarehouseResource()}

REQUIRED_MARTS = {
    "dim_customers",
    "customer_identity_map",
    "fct_orders",
    "fct_tickets",
    "fct_survey_responses",
    "fct_web_sessions",
    "fct_touchpoints",
    "kpi_scorecard",
}
RUN_TIMESTAMP_COLUMNS = {"fitted_at"}  # columns that record when a run happened


def mart_fingerprints(database: Path) -> dict[str, str]:
    """A content hash of every mart table (order-independent), run timestamps excluded."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        ]
        fingerprints = {}
        for table in tables:
            columns = [
                f'"{r[0]}"'
                for r in con.execute(
                    "select column_name from duckdb_columns() "
                    "where schema_name = 'marts' and table_name = ?",
                    [table],
                ).fetchall()
                if r[0] not in RUN_TIMESTAMP_COLUMNS
            ]
            fingerprints[table] = con.execute(
                f"select count(*) || ':' || coalesce(sum(hash({', '.join(columns)})), 0) "
                f"from marts.{table}"
            ).fetchone()[0]
        return fingerprints
    finally:
        con.close()


def raw_counts(warehouse: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = ["crm_customers", "crm_orders", "crm_tickets", "web_events", "survey_responses"]
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def test_run_on_the_sample_publishes_the_serving_file(pipeline_dir: Path) -> None:
    serving_path = pipeline_dir / "serving" / "cx.duckdb"
    assert serving.current_release(serving_path) is not None
    con = duckdb.connect(str(serving_path), read_only=True)
    tables = {
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()
    }
    con.close()
    assert tables >= REQUIRED_MARTS


def test_second_run_with_no_new_files_changes_nothing(pipeline_dir: Path) -> None:
    env = cxw_env(pipeline_dir)
    warehouse = pipeline_dir / "warehouse" / "cx.duckdb"
    serving_path = pipeline_dir / "serving" / "cx.duckdb"
    before_raw, before_marts = raw_counts(warehouse), mart_fingerprints(serving_path)
    result = run_cxw("run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "files   : 0 new" in result.stdout
    assert raw_counts(warehouse) == before_raw
    assert mart_fingerprints(serving_path) == before_marts


def test_sensor_requests_a_run_when_a_file_lands(tmp_path: Path, monkeypatch) -> None:
    from orchestration.sensors import landing_folder_sensor

    landing = tmp_path / "landing"
    (landing / "crm" / "customers").mkdir(parents=True)
    monkeypatch.setenv("CXW_LANDING_DIR", str(landing))
    first = landing_folder_sensor(build_sensor_context(resources=WAREHOUSE))
    assert not isinstance(first, RunRequest)  # nothing landed yet

    (landing / "crm" / "customers" / "c1.csv").write_text(
        "customer_id,created_at,updated_at\nC1,2026-01-01,2026-01-01\n"
    )
    context = build_sensor_context(resources=WAREHOUSE)
    request = landing_folder_sensor(context)
    assert isinstance(request, RunRequest)
    cursor = context.cursor
    assert not isinstance(
        landing_folder_sensor(build_sensor_context(cursor=cursor, resources=WAREHOUSE)), RunRequest
    )

    (landing / "crm" / "customers" / "c2.csv").write_text(
        "customer_id,created_at,updated_at\nC2,2026-01-02,2026-01-02\n"
    )
    again = landing_folder_sensor(build_sensor_context(cursor=cursor, resources=WAREHOUSE))
    assert isinstance(again, RunRequest) and again.run_key != cursor


def _descendants(pid: int) -> list[str]:
    """Command lines of every process below pid."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            commands[int(entry.name)] = (
                (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            )
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(commands.get(child, ""))
            todo.append(child)
    return found


def copy_data_dir(source: Path, target: Path) -> None:
    """A copy of a data folder that keeps hard links (the serving file links a release)."""
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    shutil.rmtree(target / "target", ignore_errors=True)


def test_run_killed_mid_build_keeps_last_release_and_next_run_succeeds(
    pipeline_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    copy_data_dir(pipeline_dir, data_dir)
    env = cxw_env(data_dir)
    serving_path = data_dir / "serving" / "cx.duckdb"
    before = serving.current_release(serving_path)
    assert before is not None
    # one more batch so the run has work to do: a renamed copy would be skipped, so change it
    orders = sorted((data_dir / "landing" / "crm" / "orders").glob("*.csv"))[-1]
    (orders.parent / "zz_extra.csv").write_text(orders.read_text() + "\n")

    process = subprocess.Popen(
        [CXW, "run"], env=env, cwd=REPO, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if any(" build" in cmd and "dbt" in cmd for cmd in _descendants(process.pid)):
            break
        time.sleep(0.2)
    assert process.poll() is None, "the run ended before dbt started"
    time.sleep(1.0)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    assert serving.current_release(serving_path) == before
    con = duckdb.connect(str(serving_path), read_only=True)
    assert con.execute("select count(*) from marts.kpi_scorecard").fetchone()[0] > 0
    con.close()

    result = run_cxw("run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert serving.current_release(serving_path) != before


def test_identity_resolution_meets_the_targets_against_the_ground_truth(
    pipeline_dir: Path,
) -> None:
    result = run_cxw("evaluate", env=cxw_env(pipeline_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    metrics = evaluate_identity(
        pipeline_dir / "serving" / "cx.duckdb", pipeline_dir / "ground_truth"
    )
    assert metrics["pairwise_precision"] >= 0.995
    assert metrics["pairwise_recall"] >= 0.98
    assert abs(metrics["unified_customers"] / metrics["true_persons"] - 1) <= 0.005
    assert metrics["shared_identifiers_in_map"] == 0


def hold_back_last_batch(landing: Path, held_back: Path) -> list[Path]:
    """Move each entity's last file (in load order) out of the landing folder."""
    moved = []
    for folder in sorted({p.parent for p in landing.rglob("*") if p.is_file()}):
        last = sorted(p for p in folder.iterdir() if p.is_file())[-1]
        target = held_back / last.relative_to(landing)
        target.parent.mkdir(parents=True, exist_ok=True)
        last.rename(target)
        moved.append(target)
    return moved


def test_incremental_run_equals_a_full_refresh(sample_dir: Path, tmp_path: Path) -> None:
    data_dir, held_back = tmp_path / "data", tmp_path / "held_back"
    shutil.copytree(sample_dir / "landing", data_dir / "landing")
    batch = hold_back_last_batch(data_dir / "landing", held_back)
    env = cxw_env(data_dir)
    serving_path = data_dir / "serving" / "cx.duckdb"

    first = run_cxw("run", env=env)
    assert first.returncode == 0, first.stdout + first.stderr
    shutil.copytree(held_back, data_dir / "landing", dirs_exist_ok=True)
    incremental = run_cxw("run", env=env)
    assert incremental.returncode == 0, incremental.stdout + incremental.stderr
    assert f"files   : {len(batch)} new" in incremental.stdout
    after_incremental = mart_fingerprints(serving_path)

    full = run_cxw("run", "--full-refresh", env=env)
    assert full.returncode == 0, full.stdout + full.stderr
    assert "files   : 0 new" in full.stdout
    assert mart_fingerprints(serving_path) == after_incremental


def test_quarantine_holds_exactly_the_bad_input_of_the_ground_truth(pipeline_dir: Path) -> None:
    truth = pipeline_dir / "ground_truth"
    with (truth / "bad_rows.csv").open() as handle:
        bad_rows = {
            (r["file_path"], int(r["line"]), r["reason_code"]) for r in csv.DictReader(handle)
        }
    with (truth / "bad_files.csv").open() as handle:
        bad_files = {(r["file_path"], r["reason_code"]) for r in csv.DictReader(handle)}
    con = duckdb.connect(str(pipeline_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        quarantined = con.execute(
            "select file_path, line, reason_code from raw.quarantine"
        ).fetchall()
        unbalanced = con.execute(
            "select file_path from raw.load_log where rows_read != rows_loaded + rows_quarantined"
        ).fetchall()
    finally:
        con.close()
    assert {(f, line, reason) for f, line, reason in quarantined if line is not None} == bad_rows
    assert {(f, reason) for f, line, reason in quarantined if line is None} == bad_files
    assert len(quarantined) == len(bad_rows) + len(bad_files)  # nothing twice
    assert unbalanced == []
