"""`cxw run` on a landing folder that does not exist, or holds nothing yet (issue 17 §7).

Before: the whole pipeline ran and dbt failed on not_null_int_kpi__as_of_as_of_at."""

from __future__ import annotations

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
