"""Memory and disk: the default memory limit, spilling, and a whole run in a tiny limit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.config import default_memory_limit, settings
from orchestration.loader.errors import resource_failures
from tests.conftest import cxw_env, run_cxw

GIB = 1024**3
MIB = 1024**2
# The smallest memory_limit the whole pipeline completes in on the test sample with two
# threads (DuckDB refuses less than a few blocks per thread): 64MB. It was 128MB while
# int_identity__components ran its four component searches in one query (out of memory
# at 61 MiB); with the searches in models of their own the 2 000-customer sample also
# completes in 64MB, its marts identical to the default limit's.
TINY_MEMORY_LIMIT = "64MB"


def test_default_memory_limit_is_half_the_machine() -> None:
    # 24 GiB x 0.5 = 12 GiB = 12 288 MiB
    assert default_memory_limit(2, 24 * GIB) == "12288MiB"
    # 4 GiB x 0.5 = 2 048 MiB
    assert default_memory_limit(8, 4 * GIB) == "2048MiB"
    # 100 MiB x 0.5 = 50 MiB, below the floor of 32 MiB x 4 threads = 128 MiB
    assert default_memory_limit(4, 100 * MIB) == "128MiB"


def test_settings_give_every_connection_the_limit_and_the_spill_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CXW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CXW_THREADS", "2")
    monkeypatch.delenv("CXW_SPILL_DIR", raising=False)
    monkeypatch.delenv("CXW_SPILL_LIMIT", raising=False)
    monkeypatch.delenv("CXW_MEMORY_LIMIT", raising=False)
    assert settings().memory_limit == default_memory_limit(2)
    monkeypatch.setenv("CXW_MEMORY_LIMIT", "96MB")
    monkeypatch.setenv("CXW_SPILL_LIMIT", "5MB")
    s = settings()
    assert (s.memory_limit, s.spill_limit, s.spill_dir) == ("96MB", "5MB", tmp_path / "spill")
    con = s.connect_duckdb(tmp_path / "wh.duckdb")
    try:
        # 96 MB = 96 000 000 bytes = 91.5 MiB; 5 MB = 4.7 MiB (DuckDB shows MiB)
        shown = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory'), "
            "current_setting('max_temp_directory_size')"
        ).fetchone()
        assert shown == ("91.5 MiB", str(tmp_path / "spill"), "4.7 MiB")
        # 4 M strings of 64 characters (~250 MB) do not fit in 96 MB: they spill, and the
        # 5 MB of spill space allowed is not enough, which DuckDB's error names
        with pytest.raises(duckdb.OutOfMemoryException, match="max_temp_directory_size"):
            con.execute(
                "create temp table t as select md5(i::varchar) || md5((i + 1)::varchar) as s "
                "from range(4000000) r(i)"
            )
    finally:
        con.close()


def test_dbt_failure_for_lack_of_memory_is_named(tmp_path: Path) -> None:
    run_results = tmp_path / "run_results.json"
    message = (
        "Runtime Error in model stg_web__events (models/staging/web/stg_web__events.sql)\n"
        "  Out of Memory Error: could not allocate block of size 256.0 KiB (30.2 MiB/30.5 MiB "
        "used)"
    )
    results = [
        {"unique_id": "model.cx_warehouse.stg_web__events", "status": "error", "message": message},
        {"unique_id": "test.cx_warehouse.not_null_x", "status": "fail", "message": "Got 3 rows"},
    ]
    run_results.write_text(json.dumps({"results": results}))
    assert resource_failures(run_results) == [
        "model stg_web__events ran out of memory (Out of Memory Error: could not allocate "
        "block of size 256.0 KiB (30.2 MiB/30.5 MiB used)): raise CXW_MEMORY_LIMIT (or lower "
        "CXW_THREADS) and run again"
    ]


# Columns that say when the run happened, not what it computed.
RUN_TIME_COLUMNS = ("fitted_at",)


def _marts(serving: Path) -> dict[str, list[tuple]]:
    """Every published mart's rows, sorted, without RUN_TIME_COLUMNS."""
    con = duckdb.connect(str(serving), read_only=True)
    try:
        tables = con.execute(
            "select table_name, list(column_name order by ordinal_position) "
            "from information_schema.columns where table_schema = 'marts' group by all"
        ).fetchall()
        marts = {}
        for name, columns in tables:
            kept = ", ".join(f'"{c}"' for c in columns if c not in RUN_TIME_COLUMNS)
            rows = con.execute(f'select {kept} from marts."{name}"').fetchall()
            marts[name] = sorted(rows, key=lambda row: tuple((v is None, str(v)) for v in row))
        return marts
    finally:
        con.close()


@pytest.mark.slow  # a whole run (~1 min on two cores): `make test-slow`
def test_whole_run_in_a_tiny_memory_limit_publishes_the_same_marts(
    pipeline_dir: Path, tmp_path: Path
) -> None:
    """Every step (loader, dbt, checks, publish) completes in TINY_MEMORY_LIMIT by
    spilling, and publishes marts identical, row for row, to the run with 2 GB."""
    data_dir = tmp_path / "tiny"
    shutil.copytree(pipeline_dir / "landing", data_dir / "landing")
    env = cxw_env(data_dir, CXW_MEMORY_LIMIT=TINY_MEMORY_LIMIT)
    result = run_cxw("run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    tiny = _marts(data_dir / "serving" / "cx.duckdb")
    reference = _marts(pipeline_dir / "serving" / "cx.duckdb")
    assert sorted(tiny) == sorted(reference)
    assert len(tiny) > 10
    for name in reference:
        assert tiny[name] == reference[name], name


def test_warehouse_resource_fields_override_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A field set on the resource wins over its variable; the others come from the
    environment, or their defaults (which follow the resource's data_dir)."""
    from dagster import build_sensor_context

    from orchestration.resources import WarehouseResource

    monkeypatch.setenv("CXW_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("CXW_THREADS", "3")
    for name in ("CXW_LANDING_DIR", "CXW_WAREHOUSE_PATH", "CXW_KEEP_RELEASES"):
        monkeypatch.delenv(name, raising=False)
    s = WarehouseResource(data_dir=str(tmp_path / "field"), keep_releases=5).settings
    assert s.data_dir == tmp_path / "field"
    assert s.landing_dir == tmp_path / "field" / "landing"
    assert s.warehouse_path == tmp_path / "field" / "warehouse" / "cx.duckdb"
    assert (s.threads, s.keep_releases) == (3, 5)
    # the Definitions' resource binds each set variable with EnvVar, read when it is used
    bound = WarehouseResource.from_environment()
    monkeypatch.setenv("CXW_THREADS", "4")
    with build_sensor_context(resources={"warehouse": bound}) as context:
        s = context.resources.warehouse.settings
    assert (s.data_dir, s.threads, s.keep_releases) == (tmp_path / "env", 4, 3)


def test_importing_the_orchestration_modules_leaves_path_alone() -> None:
    """dbt is found by its path beside this Python (resources.DBT_EXECUTABLE), so no
    module changes PATH when it is imported (a venv's bin folder is not on it here)."""
    code = (
        "import os; before = os.environ['PATH']; "
        "import orchestration.resources, orchestration.runner, orchestration.cli, "
        "orchestration.sensors, orchestration.schedules; "
        "assert os.environ['PATH'] == before, os.environ['PATH']"
    )
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_manifest_is_parsed_again_only_when_the_dbt_project_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DbtProject.prepare_if_dev() outside `dagster dev`: a manifest recorded as parsed from
    the project's files as they are is kept (no dbt call: a run after new files land does
    not pay a parse); one parsed from other files is parsed again, into the target folder."""
    from dagster_shared.record import replace

    from orchestration.build_state import DBT_PROJECT_PATHS, code_fingerprint
    from orchestration.resources import dbt_project

    target = tmp_path / "target"
    target.mkdir()
    # the parse exports dbt's environment: restored after the test
    monkeypatch.setenv("CXW_DATA_DIR", str(tmp_path))
    for name in ("WAREHOUSE_PATH", "THREADS", "MEMORY_LIMIT", "SPILL_DIR", "SPILL_LIMIT"):
        monkeypatch.delenv(f"CXW_{name}", raising=False)
    monkeypatch.setenv("CXW_HMAC_KEY", os.environ["CXW_HMAC_KEY"])
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    project = replace(dbt_project, target_path=target, manifest_path=target / "manifest.json")
    (target / "manifest.json").write_text("{}")  # not a manifest: dbt would overwrite it
    (target / "manifest.parsed-from").write_text(code_fingerprint(DBT_PROJECT_PATHS))
    project.prepare_if_dev()
    assert (target / "manifest.json").read_text() == "{}"

    (target / "manifest.parsed-from").write_text("the files of another version")
    project.prepare_if_dev()
    manifest = json.loads((target / "manifest.json").read_text())
    assert "model.cx_warehouse.dim_customers" in manifest["nodes"]
    assert (target / "manifest.parsed-from").read_text() == code_fingerprint(DBT_PROJECT_PATHS)


def test_dbt_commands_build_no_dbt_adapter_in_this_process(tmp_path: Path) -> None:
    """OfflineDbtCliResource overrides dagster-dbt's hook for its in-process adapter (about
    2 s a command); a dagster-dbt that renamed the hook would build one again unnoticed."""
    from dagster_dbt import DbtCliResource

    from orchestration.resources import dbt_resource

    assert "_initialize_dbt_core_adapter" in vars(DbtCliResource)
    invocation = dbt_resource().cli(
        ["debug", "--config-dir"], target_path=tmp_path / "target", raise_on_error=False
    )
    assert invocation.wait().is_successful()
    assert invocation.adapter is None
