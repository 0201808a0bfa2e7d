"""Configuration, read in one place from the environment, with working defaults.

- CXW_DATA_DIR (<repo>/data): root of everything the warehouse writes
- CXW_LANDING_DIR ($CXW_DATA_DIR/landing): the landing folder (landing contract)
- CXW_WAREHOUSE_PATH ($CXW_DATA_DIR/warehouse/cx.duckdb): the build file (one writer)
- CXW_SERVING_PATH ($CXW_DATA_DIR/serving/cx.duckdb): the published, read-only copy
- CXW_THREADS (number of cores): DuckDB threads (and dbt threads)
- CXW_MEMORY_LIMIT (3GB): DuckDB memory_limit (per process; the run stays under 4 GiB in all)
- CXW_TZ_CRM / CXW_TZ_WEB / CXW_TZ_SURVEY (UTC): time zone of naive timestamps per source
- CXW_PUBLISH_PII (false): publish the `pii` schema too
- CXW_KEEP_RELEASES (3): releases kept for `cxw rollback`
- CXW_LOCK_WAIT_SECONDS (60): how long a run waits for another run writing the warehouse
- CXW_MAPPINGS (none): source mapping files, separated by the path separator (`:`), applied
  to the files under the landing folder (`cxw run --mapping FILE` sets it)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    warehouse_path: Path
    serving_path: Path
    threads: int
    memory_limit: str
    source_time_zones: dict[str, str]
    publish_pii: bool
    keep_releases: int
    lock_wait_seconds: float
    mappings: tuple[Path, ...] = ()

    @property
    def quarantine_dir(self) -> Path:
        """Where whole files that could not be read are copied, so nothing is lost."""
        return self.data_dir / "quarantine"

    @property
    def docs_dir(self) -> Path:
        return self.data_dir / "docs"

    @property
    def releases_dir(self) -> Path:
        return self.serving_path.parent / "releases"


def settings() -> Settings:
    """The settings in force now (read on every call, so tests can change the env)."""
    data_dir = _path("CXW_DATA_DIR", REPO_ROOT / "data")
    return Settings(
        data_dir=data_dir,
        landing_dir=_path("CXW_LANDING_DIR", data_dir / "landing"),
        warehouse_path=_path("CXW_WAREHOUSE_PATH", data_dir / "warehouse" / "cx.duckdb"),
        serving_path=_path("CXW_SERVING_PATH", data_dir / "serving" / "cx.duckdb"),
        threads=int(os.environ.get("CXW_THREADS") or os.cpu_count() or 2),
        memory_limit=os.environ.get("CXW_MEMORY_LIMIT") or "3GB",
        source_time_zones={
            source: os.environ.get(f"CXW_TZ_{source.upper()}") or "UTC"
            for source in ("crm", "web", "survey")
        },
        publish_pii=_bool("CXW_PUBLISH_PII"),
        keep_releases=int(os.environ.get("CXW_KEEP_RELEASES") or 3),
        lock_wait_seconds=float(os.environ.get("CXW_LOCK_WAIT_SECONDS") or 60),
        mappings=tuple(
            Path(p).expanduser().resolve()
            for p in os.environ.get("CXW_MAPPINGS", "").split(os.pathsep)
            if p.strip()
        ),
    )
