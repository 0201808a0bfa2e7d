"""Dagster resources: the warehouse (paths, DuckDB settings, single-writer lock) and dbt."""

from __future__ import annotations

import fcntl
import importlib.metadata
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, InitResourceContext
from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from .config import REPO_ROOT, Settings, settings
from .secrets import hmac_key_hex


class WarehouseBusyError(RuntimeError):
    pass


@contextmanager
def writer_lock(warehouse_path: Path, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the one-writer lock of a warehouse file (an flock on `<file>.lock`)."""
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse_path.with_name(warehouse_path.name + ".lock")
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusyError(
                        f"another run is writing {warehouse_path} (lock {lock_path}); "
                        "wait for it to finish, or retry"
                    ) from None
                time.sleep(1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class WarehouseResource(ConfigurableResource):
    """The build file and its settings. Every asset that writes requires it.

    With the in-process executor the resource lives for the whole run, so the writer lock
    taken here covers ingest → dbt → checks → publish: at most one run writes at a time.
    """

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[WarehouseResource]:
        s = self.settings
        with writer_lock(s.warehouse_path, s.lock_wait_seconds):
            yield self

    @property
    def settings(self) -> Settings:
        return settings()

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        s = self.settings
        s.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        return s.connect_duckdb(s.warehouse_path, read_only=read_only)


def dbt_target_path() -> Path:
    """Where dbt writes manifests, compiled SQL and run results: under the data folder
    (`$CXW_DATA_DIR/dbt/target`), so two data folders share nothing; DBT_TARGET_PATH
    overrides."""
    value = os.environ.get("DBT_TARGET_PATH", "").strip()
    return Path(value) if value else settings().data_dir / "dbt" / "target"


def export_dbt_environment() -> None:
    """dbt reads its paths from the environment (profiles.yml): make them match settings().

    Its logs go under the data folder too (`$CXW_DATA_DIR/dbt/logs`, DBT_LOG_PATH
    overrides), never into the project checkout."""
    s = settings()
    os.environ["CXW_WAREHOUSE_PATH"] = str(s.warehouse_path)
    os.environ["CXW_THREADS"] = str(s.threads)
    os.environ["CXW_MEMORY_LIMIT"] = s.memory_limit
    # the keyed hashes' key: dbt's models read it with getenv() (macro hmac_pad)
    os.environ["CXW_HMAC_KEY"] = hmac_key_hex(s)
    os.environ.setdefault("DBT_LOG_PATH", str(s.data_dir / "dbt" / "logs"))
    s.spill_dir.mkdir(parents=True, exist_ok=True)
    os.environ["CXW_SPILL_DIR"] = str(s.spill_dir)
    # profiles.yml cannot leave a setting out: DuckDB's own default when none is given
    os.environ["CXW_SPILL_LIMIT"] = s.spill_limit or "90% of available disk space"
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")


# dbt is the one installed beside this Python (the venv's), also when `.venv/bin/cxw` runs
# without an activated venv: dagster-dbt looks for `dbt` on PATH (its preparer included).
_bin_dir = str(Path(sys.executable).parent)
if _bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin_dir + os.pathsep + os.environ.get("PATH", "")

dbt_project = DbtProject(
    project_dir=REPO_ROOT,
    profiles_dir=REPO_ROOT,
    target_path=dbt_target_path(),
)


# What the manifest is parsed from: a change to any of these files calls for a new parse.
DBT_PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")


def manifest_is_fresh() -> bool:
    """True when manifest.json is newer than every file of the dbt project."""
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        return False
    parsed_at = manifest.stat().st_mtime
    for name in DBT_PROJECT_FILES:
        path = REPO_ROOT / name
        files = [path] if path.is_file() else path.rglob("*")
        if any(f.is_file() and f.stat().st_mtime > parsed_at for f in files):
            return False
    return True


def prepare_dbt_project(*, force: bool = False) -> None:
    """Parse the dbt project into manifest.json, unless the manifest is already up to date
    (a `dbt parse` costs seconds of start-up on every run; `dbt build` parses again anyway,
    the manifest only gives Dagster its asset graph)."""
    export_dbt_environment()
    # two runs starting at once would parse into the same target folder: one at a time
    with writer_lock(dbt_project.manifest_path, settings().lock_wait_seconds):
        if force or not manifest_is_fresh():
            dbt_project.preparer.prepare(dbt_project)


class OfflineDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without its `dbt --version` call.

    dagster-dbt learns the dbt version by running `dbt --version` before every command,
    and that command asks the package index for the latest dbt release (1.7-3.6 s,
    a network call a locked-down scheduler must not make; dbt has no switch for it). The
    dbt that runs is the dbt-core installed beside this Python, so its version is read
    from the package instead: no subprocess, no network.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def dbt_resource() -> DbtCliResource:
    return OfflineDbtCliResource(project_dir=dbt_project, profiles_dir=str(REPO_ROOT))
