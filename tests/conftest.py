"""Shared fixtures: a small generated sample and an isolated data folder per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The keyed hashes' key for every run and dbt call of the tests (and for the in-process
# code that hashes, e.g. the identity evaluation), so they all agree; a test of the key
# file unsets it.
TEST_HMAC_KEY = "00112233445566778899aabbccddeeff" * 2
os.environ["CXW_HMAC_KEY"] = TEST_HMAC_KEY
CXW = str(Path(sys.executable).with_name("cxw"))
DBT = str(Path(sys.executable).with_name("dbt"))


def cxw_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CXW_", "DAGSTER_HOME"))}
    env.update(
        CXW_DATA_DIR=str(data_dir),
        CXW_LANDING_DIR=str(data_dir / "landing"),
        # every session its own dbt target folder, so parallel sessions do not collide
        DBT_TARGET_PATH=str(data_dir / "target"),
        CXW_THREADS="2",
        CXW_MEMORY_LIMIT="2GB",
        CXW_HMAC_KEY=TEST_HMAC_KEY,
    )
    env.update(extra)
    return env


def run_cxw(*args: str, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CXW, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


def run_dbt(data_dir: Path, target: Path, *args: str) -> subprocess.CompletedProcess:
    """The venv's dbt on the warehouse of `data_dir`, writing its artifacts to `target`."""
    env = cxw_env(
        data_dir,
        CXW_WAREHOUSE_PATH=str(data_dir / "warehouse" / "cx.duckdb"),
        DBT_TARGET_PATH=str(target),
    )
    return subprocess.run(
        [DBT, "--no-use-colors", *args, "--project-dir", ".", "--profiles-dir", "."],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data folder holding a small deterministic sample (landing + ground truth)."""
    data_dir = tmp_path_factory.mktemp("sample")
    result = run_cxw(
        "generate",
        "--out", str(data_dir / "landing"),
        "--truth", str(data_dir / "ground_truth"),
        "--customers", "400",
        "--days", "120",
        "--seed", "7",
        env=cxw_env(data_dir),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    yield data_dir


@pytest.fixture(scope="session")
def pipeline_dir(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample with one successful `cxw run` behind it."""
    data_dir = tmp_path_factory.mktemp("pipeline")
    shutil.copytree(sample_dir / "landing", data_dir / "landing")
    shutil.copytree(sample_dir / "ground_truth", data_dir / "ground_truth")
    result = run_cxw("run", env=cxw_env(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout.splitlines()[1]
    return data_dir
