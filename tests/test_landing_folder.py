"""`cxw run` on a landing folder that does not exist, or holds nothing yet (issue 17 §7).

Before: the whole pipeline ran and dbt failed on not_null_int_kpi__as_of_as_of_at."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import cxw_env, run_cxw


def test_missing_landing_folder_stops_at_once_with_the_path_and_the_variable(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "typo-landing"
    result = run_cxw("run", env=cxw_env(tmp_path, CXW_LANDING_DIR=str(missing)), timeout=120)
    assert result.returncode == 2
    assert str(missing) in result.stderr and "CXW_LANDING_DIR" in result.stderr
    assert not (tmp_path / "warehouse").exists() and not (tmp_path / "logs").exists()


def test_empty_landing_folder_has_nothing_to_load_and_is_no_error(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / "crm" / "orders").mkdir(parents=True)
    (landing / ".DS_Store").write_bytes(b"\x00")  # a hidden file is no extract
    result = run_cxw("run", env=cxw_env(tmp_path), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "nothing to load" in result.stdout
    assert not (tmp_path / "serving").exists()  # nothing published


def test_run_json_on_an_empty_landing_folder_says_nothing_to_load(tmp_path: Path) -> None:
    (tmp_path / "landing" / "crm" / "orders").mkdir(parents=True)
    result = run_cxw("run", "--json", env=cxw_env(tmp_path), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)  # stdout holds the summary alone
    assert (summary["status"], summary["ok"], summary["release"]) == ("nothing_to_load", True, None)
    assert "nothing to load" in result.stderr


def test_schedule_on_an_empty_landing_folder_skips_saying_why(tmp_path: Path) -> None:
    """The daily schedule on a new install before its first extract: before, it requested a
    run, which failed in dbt (not_null_int_kpi__as_of_as_of_at: no data, no as-of date);
    now it skips with the message `cxw run` prints. Once a file lands it runs."""
    from dagster import RunRequest, SkipReason, build_schedule_context

    from orchestration.resources import WarehouseResource
    from orchestration.schedules import daily_schedule

    landing = tmp_path / "landing"
    (landing / "crm" / "orders").mkdir(parents=True)
    (landing / ".DS_Store").write_bytes(b"\x00")  # a hidden file is no extract
    warehouse = WarehouseResource(data_dir=str(tmp_path), landing_dir=str(landing))
    context = build_schedule_context(resources={"warehouse": warehouse})
    skipped = daily_schedule(context)
    assert isinstance(skipped, SkipReason)
    assert "nothing to load" in skipped.skip_message and str(landing) in skipped.skip_message

    (landing / "crm" / "orders" / "o1.csv").write_text(
        "order_id,customer_id,ordered_at,status,amount\no1,c1,2026-01-01,completed,10\n"
    )
    assert isinstance(
        daily_schedule(build_schedule_context(resources={"warehouse": warehouse})), RunRequest
    )


def test_run_json_counts_every_ignored_file(tmp_path: Path) -> None:
    """`cxw run --json`'s files.ignored is every file the load log has as ignored: a README
    and a spreadsheet beside the orders (an unknown extension), a .DS_Store in an entity
    folder and at the top, a stray CSV outside every entity folder: 5. Before: the README
    and the spreadsheet were quarantined whole (files.quarantined 2) and the two files
    outside the entity folders were logged but not counted (files.ignored 1)."""
    from tests.test_time_and_money import write_landing

    landing = tmp_path / "landing"
    write_landing(landing)
    (landing / "crm" / "orders" / "README.txt").write_text("Orders, one file a day.\n")
    (landing / "crm" / "orders" / "orders.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    (landing / "crm" / "orders" / ".DS_Store").write_bytes(b"\x00\x01")
    (landing / ".DS_Store").write_bytes(b"\x00\x01")
    (landing / "stray.csv").write_text("a,b\n1,2\n")
    result = run_cxw("run", "--json", env=cxw_env(tmp_path), timeout=1800)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(result.stdout)
    # the five extracts of write_landing load
    assert summary["files"] == {"new": 5, "quarantined": 0, "ignored": 5}
