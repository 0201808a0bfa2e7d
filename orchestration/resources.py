"""Dagster resources: the warehouse (paths, DuckDB settings, single-writer lock) and dbt."""

from __future__ import annotations

import fcntl
import importlib.metadata
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
from dagster import ConfigurableResource, EnvVar, InitResourceContext
from dagster_dbt import DagsterDbtProjectPreparer, DbtCliResource, DbtProject
from dagster_shared.record import replace
from packaging import version

from .build_state import DBT_PROJECT_PATHS, code_fingerprint
from .config import REPO_ROOT, Settings, settings
from .secrets import hmac_key_hex


class WarehouseBusyError(RuntimeError):
    pass


# lock files this process holds, with how many holders: `cxw forget` holds the lock and
# runs the pipeline inside it (an flock taken twice by one process would wait for itself)
_HELD: dict[str, int] = {}


@contextmanager
def writer_lock(warehouse_path: Path, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the one-writer lock of a warehouse file (an flock on `<file>.lock`); re-entrant
    within one process."""
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse_path.with_name(warehouse_path.name + ".lock")
    held = str(lock_path.resolve())
    if _HELD.get(held):
        _HELD[held] += 1
        try:
            yield
        finally:
            _HELD[held] -= 1
        return
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
        _HELD[held] = 1
        try:
            yield
        finally:
            _HELD.pop(held, None)
            fcntl.flock(handle, fcntl.LOCK_UN)


# Each field of the warehouse resource and the environment variable it is read from
# (orchestration/config.py documents the variables and their defaults).
SETTING_VARIABLES = {
    "data_dir": "CXW_DATA_DIR",
    "landing_dir": "CXW_LANDING_DIR",
    "warehouse_path": "CXW_WAREHOUSE_PATH",
    "serving_path": "CXW_SERVING_PATH",
    "threads": "CXW_THREADS",
    "memory_limit": "CXW_MEMORY_LIMIT",
    "spill_dir": "CXW_SPILL_DIR",
    "spill_limit": "CXW_SPILL_LIMIT",
    "tz_crm": "CXW_TZ_CRM",
    "tz_web": "CXW_TZ_WEB",
    "tz_survey": "CXW_TZ_SURVEY",
    "publish_pii": "CXW_PUBLISH_PII",
    "keep_releases": "CXW_KEEP_RELEASES",
    "lock_wait_seconds": "CXW_LOCK_WAIT_SECONDS",
    "mappings": "CXW_MAPPINGS",
    "engine": "CXW_ENGINE",
    "spark_master": "CXW_SPARK_MASTER",
    "spark_driver_memory": "CXW_SPARK_DRIVER_MEMORY",
    "spark_shuffle_partitions": "CXW_SPARK_SHUFFLE_PARTITIONS",
    "spark_dir": "CXW_SPARK_DIR",
    "spark_raw_dir": "CXW_SPARK_RAW_DIR",
    "spark_conf": "CXW_SPARK_CONF",
}
_INTEGER_FIELDS = ("threads", "keep_releases", "lock_wait_seconds", "spark_shuffle_partitions")


class WarehouseResource(ConfigurableResource):
    """The build file and its settings: every asset, check, sensor and schedule that reads
    or writes the warehouse requires it (`warehouse: WarehouseResource`).

    Each field is one setting of orchestration/config.py (SETTING_VARIABLES names its
    environment variable); a field left None takes the variable's value, else its default.
    `settings` gives them all, typed; `connect()` opens the build file with them.
    Reading it takes no lock (a sensor may read while a run writes): the steps that write
    also require WriterLockResource.
    """

    data_dir: str | None = None
    landing_dir: str | None = None
    warehouse_path: str | None = None
    serving_path: str | None = None
    threads: int | None = None
    memory_limit: str | None = None
    spill_dir: str | None = None
    spill_limit: str | None = None
    tz_crm: str | None = None
    tz_web: str | None = None
    tz_survey: str | None = None
    publish_pii: str | None = None
    keep_releases: int | None = None
    lock_wait_seconds: int | None = None
    mappings: str | None = None
    engine: str | None = None
    spark_master: str | None = None
    spark_driver_memory: str | None = None
    spark_shuffle_partitions: int | None = None
    spark_dir: str | None = None
    spark_raw_dir: str | None = None
    spark_conf: str | None = None

    @classmethod
    def from_environment(cls) -> WarehouseResource:
        """The resource of the Definitions: each field whose variable is set is bound to it
        with `EnvVar` (the UI shows where the value comes from, and it is read when a run
        starts); the others stay None and take config.py's defaults."""
        fields: dict[str, Any] = {}
        for field, variable in SETTING_VARIABLES.items():
            if os.environ.get(variable, "").strip():
                fields[field] = (
                    EnvVar.int(variable) if field in _INTEGER_FIELDS else EnvVar(variable)
                )
        return cls(**fields)

    @property
    def settings(self) -> Settings:
        """The settings: the environment, overridden by the fields that are set."""
        overrides = {
            variable: str(getattr(self, field))
            for field, variable in SETTING_VARIABLES.items()
            if getattr(self, field) is not None
        }
        return settings({**os.environ, **overrides})

    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        s = self.settings
        s.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        return s.connect_duckdb(s.warehouse_path, read_only=read_only)


class WriterLockResource(ConfigurableResource):
    """The one-writer lock of the warehouse file, held while the resource lives.

    The steps that write the warehouse (ingest, dbt) require it; with the in-process
    executor the run's resources are set up once, before its first step, so the lock
    covers ingest → dbt → checks → publish: at most one run writes at a time. A second run
    waits up to CXW_LOCK_WAIT_SECONDS, then fails with WarehouseBusyError.
    """

    warehouse: WarehouseResource

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[WriterLockResource]:
        s = self.warehouse.settings
        with writer_lock(s.warehouse_path, s.lock_wait_seconds):
            yield self


def dbt_target_path() -> Path:
    """Where dbt writes manifests, compiled SQL and run results: under the data folder
    (`$CXW_DATA_DIR/dbt/target`), so two data folders share nothing; DBT_TARGET_PATH
    overrides."""
    value = os.environ.get("DBT_TARGET_PATH", "").strip()
    return Path(value) if value else settings().data_dir / "dbt" / "target"


def export_dbt_environment(s: Settings) -> None:
    """dbt reads its paths from the environment (profiles.yml): make them match `s`.

    Its logs and run artifacts go under the data folder too (`$CXW_DATA_DIR/dbt/logs`,
    `$CXW_DATA_DIR/dbt/target`; DBT_LOG_PATH and DBT_TARGET_PATH override), never into the
    project checkout."""
    os.environ["CXW_WAREHOUSE_PATH"] = str(s.warehouse_path)
    os.environ["CXW_THREADS"] = str(s.threads)
    os.environ["CXW_MEMORY_LIMIT"] = s.memory_limit
    # the keyed hashes' key: dbt's models read it with getenv() (macro hmac_pad)
    os.environ["CXW_HMAC_KEY"] = hmac_key_hex(s)
    os.environ.setdefault("DBT_LOG_PATH", str(s.data_dir / "dbt" / "logs"))
    # dagster-dbt puts each dbt command's artifacts in a folder under DBT_TARGET_PATH
    # (else under ./target, the checkout): under the data folder's target, as the manifest
    os.environ.setdefault("DBT_TARGET_PATH", str(s.data_dir / "dbt" / "target"))
    s.spill_dir.mkdir(parents=True, exist_ok=True)
    os.environ["CXW_SPILL_DIR"] = str(s.spill_dir)
    # profiles.yml cannot leave a setting out: DuckDB's own default when none is given
    os.environ["CXW_SPILL_LIMIT"] = s.spill_limit or "90% of available disk space"
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    # the engine and the `spark` target's settings (profiles.yml, orchestration.spark_dbt)
    os.environ["CXW_ENGINE"] = s.engine
    os.environ["CXW_SPARK_MASTER"] = s.spark_master
    os.environ["CXW_SPARK_DRIVER_MEMORY"] = s.spark_driver_memory
    os.environ["CXW_SPARK_SHUFFLE_PARTITIONS"] = str(s.spark_shuffle_partitions)
    os.environ["CXW_SPARK_DIR"] = str(s.spark_home)
    os.environ["CXW_SPARK_RAW_DIR"] = str(s.spark_raw_zone)
    os.environ["CXW_SPARK_CONF"] = ";".join(f"{k}={v}" for k, v in s.spark_extra_conf)
    # the Python that runs dbt on Spark (orchestration/bin/dbt-spark): this one, the venv's
    os.environ["CXW_PYTHON"] = sys.executable


# The dbt installed beside this Python (the venv's), also when `.venv/bin/cxw` runs without
# an activated venv; given to dagster-dbt as its executable (PATH stays as it is).
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))


class OfflineDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without its `dbt --version` call, and without an
    in-process dbt adapter (see _initialize_dbt_core_adapter).

    dagster-dbt learns the dbt version by running `dbt --version` before every command,
    and that command asks the package index for the latest dbt release (1.7-3.6 s,
    a network call a locked-down scheduler must not make; dbt has no switch for it). The
    dbt that runs is the dbt-core installed beside this Python, so its version is read
    from the package instead: no subprocess, no network.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        """No dbt adapter in this process.

        dagster-dbt builds one before every dbt command (it loads the profile, the project
        and every macro: about 2 s of CPU a command, three commands a run) for
        `fetch_row_counts()` and `fetch_column_metadata()` alone, which this project does
        not call; the dbt subprocess has its own adapter.
        """
        return None


class ManifestPreparer(DagsterDbtProjectPreparer):
    """dagster-dbt's preparer (`dbt parse` into manifest.json), offline and one at a time.

    - prepare(): parses with OfflineDbtCliResource (no `dbt --version`, no network) while
      holding the lock of the manifest (two runs starting at once would parse into the same
      target folder), and records beside the manifest the fingerprint of the dbt project's
      files it was parsed from (build_state.DBT_PROJECT_PATHS).
    - prepare_if_dev(): as dagster-dbt's, parses under `dagster dev`; elsewhere (`cxw run`,
      the daemon) when there is no manifest yet (a fresh clone, a new data folder) or the
      project's files are no longer those it was parsed from. A parse costs seconds (about
      6 s of CPU on this machine), so a run after new files landed does not pay it.
    """

    def prepare_if_dev(self, project: DbtProject) -> None:
        if self.using_dagster_dev() or _parsed_from(project) != code_fingerprint(DBT_PROJECT_PATHS):
            self.prepare(project)

    def prepare(self, project: DbtProject) -> None:
        s = settings()
        export_dbt_environment(s)
        with writer_lock(project.manifest_path, s.lock_wait_seconds):
            parsed_from = code_fingerprint(DBT_PROJECT_PATHS)
            dbt = OfflineDbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE)
            dbt.cli(["parse", "--quiet"], target_path=project.target_path).wait()
            _fingerprint_file(project).write_text(parsed_from)


def _fingerprint_file(project: DbtProject) -> Path:
    return project.manifest_path.with_name("manifest.parsed-from")


def _parsed_from(project: DbtProject) -> str | None:
    """The fingerprint of the files the manifest was parsed from; None: no manifest."""
    if not project.manifest_path.exists() or not _fingerprint_file(project).exists():
        return None
    return _fingerprint_file(project).read_text().strip()


# DbtProject's constructor takes no preparer (dagster-dbt 0.29): the record is copied with it
dbt_project = replace(
    DbtProject(project_dir=REPO_ROOT, profiles_dir=REPO_ROOT, target_path=dbt_target_path()),
    preparer=ManifestPreparer(),
)


def dbt_resource() -> DbtCliResource:
    return OfflineDbtCliResource(
        project_dir=dbt_project, profiles_dir=str(REPO_ROOT), dbt_executable=DBT_EXECUTABLE
    )


# dbt on Apache Spark for dagster-dbt: a script that runs orchestration.spark_dbt (the
# Spark session with the identifier functions, then dbt in the same process, target `spark`)
SPARK_DBT_EXECUTABLE = str(REPO_ROOT / "orchestration" / "bin" / "dbt-spark")


def engine_dbt(dbt: DbtCliResource, s: Settings) -> DbtCliResource:
    """The dbt that builds on the engine of `s`: `dbt` itself on DuckDB; on Spark the same
    project and profiles run by SPARK_DBT_EXECUTABLE with the target `spark`."""
    if not s.spark:
        return dbt
    return OfflineDbtCliResource(
        project_dir=dbt_project,
        profiles_dir=dbt.profiles_dir,
        dbt_executable=SPARK_DBT_EXECUTABLE,
        target="spark",
    )
