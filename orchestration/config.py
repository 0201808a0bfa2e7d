"""Configuration, read in one place from the environment, with working defaults.

- CXW_DATA_DIR (<repo>/data): root of everything the warehouse writes
- CXW_LANDING_DIR ($CXW_DATA_DIR/landing): the landing folder (landing contract)
- CXW_WAREHOUSE_PATH ($CXW_DATA_DIR/warehouse/cx.duckdb): the build file (one writer)
- CXW_SERVING_PATH ($CXW_DATA_DIR/serving/cx.duckdb): the published, read-only copy
- CXW_THREADS (number of cores): DuckDB threads (and dbt threads)
- CXW_MEMORY_LIMIT (half the machine's memory, see default_memory_limit): DuckDB
  memory_limit, per DuckDB instance (one at a time runs the heavy work of a run: the
  loader's, dbt's, the checks', the publish's); past it DuckDB spills to CXW_SPILL_DIR
- CXW_SPILL_DIR ($CXW_DATA_DIR/spill): DuckDB temp_directory, where it spills what does not
  fit in memory (every process and connection of the run; DuckDB names its files apart)
- CXW_SPILL_LIMIT (DuckDB's: 90% of the free disk space): max_temp_directory_size, the most
  one DuckDB instance may spill; past it the step fails with "max_temp_directory_size"
- CXW_TZ_CRM / CXW_TZ_WEB / CXW_TZ_SURVEY (UTC): time zone of naive timestamps per source
- CXW_PUBLISH_PII (false): publish the `pii` schema too
- CXW_KEEP_RELEASES (3): releases kept for `cxw rollback`
- CXW_REPORTING_CURRENCY (EUR), CXW_REPORTING_TIME_ZONE (UTC): the dbt vars
  reporting_currency and reporting_time_zone (read by dbt_project.yml)
- CXW_LOCK_WAIT_SECONDS (60): how long a run waits for another run writing the warehouse
- CXW_MAPPINGS (none): source mapping files, separated by the path separator (`:`), applied
  to the files under the landing folder (`cxw run --mapping FILE` sets it)
- CXW_ENGINE (duckdb): the engine dbt builds on, `duckdb` or `spark` (README, "Apache
  Spark"); the loader, the quality checks and the publish read DuckDB files either way
- CXW_SPARK_MASTER (local[2]): Spark's master URL for CXW_ENGINE=spark (local mode by
  default; `spark://host:7077`, `yarn`, `k8s://...` for a cluster)
- CXW_SPARK_DRIVER_MEMORY (2g), CXW_SPARK_SHUFFLE_PARTITIONS (4): the Spark session's
  driver memory and shuffle partitions
- CXW_SPARK_DIR ($CXW_DATA_DIR/spark): Spark's metastore, its managed tables (the dbt
  models) and the raw zone (the loader's Parquet copy, `raw/`); on a cluster, a path every
  node reads (a shared file system or object store)
- CXW_SPARK_RAW_DIR ($CXW_SPARK_DIR/raw): the raw zone, where the ingest step writes the
  raw tables as Parquet for Spark
- CXW_SPARK_CONF (none): more Spark settings, `key=value` separated by `;` (e.g. a
  cluster's metastore, `spark.hadoop.hive.metastore.uris=thrift://meta:9083`, or executor
  memory); they override the settings above
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    value = env.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


def _bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "on")


# The share of the machine's memory DuckDB may use by default (CXW_MEMORY_LIMIT unset).
# One DuckDB instance does the heavy work of a run at a time (dbt's, with all its threads:
# DuckDB's limit is per instance, so two models built at once share it), and the processes
# around it need memory outside that limit: the Dagster process (~0.3 GB), the dbt process's
# Python (the CLV models' frames), DuckDB's own allocations outside its buffer manager.
# Half leaves the other half for them and for the page cache.
MEMORY_SHARE = 0.5
# DuckDB needs some memory per thread to run at all (its operators keep a few buffers of
# their own per thread); below this per thread, fewer threads are better than a failure.
MIN_MEMORY_PER_THREAD = 32 * 1024 * 1024
_MIB = 1024 * 1024

# The engines dbt builds on (CXW_ENGINE), the first the default.
ENGINES = ("duckdb", "spark")


def engine_setting(env: Mapping[str, str]) -> str:
    """CXW_ENGINE of `env`, lower case (default duckdb); a ValueError names the engines."""
    value = env.get("CXW_ENGINE", "").strip()
    engine = value.lower() or ENGINES[0]
    if engine not in ENGINES:
        raise ValueError(
            f"CXW_ENGINE={value!r} is not an engine: the engines are "
            + " and ".join(ENGINES)
            + f" (default {ENGINES[0]})"
        )
    return engine


def machine_memory() -> int:
    """Bytes of memory this process may use: the cgroup's limit (a container's) when set,
    else the machine's physical memory."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            value = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if value.isdigit() and 0 < int(value) < physical:
            return int(value)
    return physical


def default_memory_limit(threads: int, memory: int | None = None) -> str:
    """DuckDB's memory_limit when CXW_MEMORY_LIMIT is unset: MEMORY_SHARE of `memory` (bytes,
    default machine_memory()), in whole MiB, and at least MIN_MEMORY_PER_THREAD x `threads`
    (e.g. 24 GiB, 2 threads -> '12288MiB'; 4 GiB -> '2048MiB')."""
    memory = machine_memory() if memory is None else memory
    limit = max(int(memory * MEMORY_SHARE), MIN_MEMORY_PER_THREAD * max(threads, 1))
    return f"{limit // _MIB}MiB"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    landing_dir: Path
    warehouse_path: Path
    serving_path: Path
    threads: int
    memory_limit: str
    spill_dir: Path
    spill_limit: str | None  # None: DuckDB's default
    source_time_zones: dict[str, str]
    publish_pii: bool
    keep_releases: int
    lock_wait_seconds: float
    mappings: tuple[Path, ...] = ()
    engine: str = ENGINES[0]
    spark_master: str = "local[2]"
    spark_driver_memory: str = "2g"
    spark_shuffle_partitions: int = 4
    spark_dir: Path | None = None  # None: data_dir / "spark"
    spark_raw_dir: Path | None = None  # None: spark_home / "raw"
    spark_extra_conf: tuple[tuple[str, str], ...] = ()

    @property
    def spark(self) -> bool:
        """Whether dbt builds on Apache Spark (CXW_ENGINE=spark)."""
        return self.engine == "spark"

    @property
    def spark_home(self) -> Path:
        """Spark's folder: metastore, managed tables, the raw zone (CXW_SPARK_DIR)."""
        return self.spark_dir if self.spark_dir is not None else self.data_dir / "spark"

    @property
    def spark_raw_zone(self) -> Path:
        """The raw zone Spark reads: the loader's Parquet copy (CXW_SPARK_RAW_DIR)."""
        return self.spark_raw_dir if self.spark_raw_dir is not None else self.spark_home / "raw"

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

    def duckdb_config(self) -> dict[str, object]:
        """The settings of every DuckDB connection of the run (threads, memory, spill
        folder), for duckdb.connect(config=...); the spill limit is set by connect_duckdb."""
        self.spill_dir.mkdir(parents=True, exist_ok=True)
        return {
            "threads": self.threads,
            "memory_limit": self.memory_limit,
            "preserve_insertion_order": False,
            "temp_directory": str(self.spill_dir),
        }

    def connect_duckdb(self, database: Path | str, *, read_only: bool = False, **config: object):
        """A DuckDB connection with duckdb_config() (and `config`, more settings given when
        the database opens) and the spill limit (CXW_SPILL_LIMIT).
        The limit is SET once the database is open: given in the connect config, DuckDB
        showed it but did not enforce it (2.0: 150 MB spilled under a 1 MB limit)."""
        import duckdb

        config = {**self.duckdb_config(), **config}
        con = duckdb.connect(str(database), read_only=read_only, config=config)
        if self.spill_limit:
            try:
                con.execute("set max_temp_directory_size = ?", [self.spill_limit])
            except BaseException:
                con.close()
                raise
        return con


def spark_extra_conf(value: str) -> tuple[tuple[str, str], ...]:
    """CXW_SPARK_CONF's `key=value;key=value` as pairs; a ValueError names a bad item."""
    pairs = []
    for item in value.split(";"):
        if not item.strip():
            continue
        key, sep, setting = item.partition("=")
        if not sep or not key.strip().startswith("spark."):
            raise ValueError(
                f"CXW_SPARK_CONF: {item.strip()!r} is not a Spark setting: write "
                "spark.<name>=<value>, separated by ';'"
            )
        pairs.append((key.strip(), setting.strip()))
    return tuple(pairs)


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in force now, read from `environ` (default os.environ, read on every
    call, so tests can change the env). Dagster code gets them from the warehouse resource
    (orchestration.resources.WarehouseResource), whose fields override the environment."""
    env = os.environ if environ is None else environ
    data_dir = _path(env, "CXW_DATA_DIR", REPO_ROOT / "data")
    threads = int(env.get("CXW_THREADS") or os.cpu_count() or 2)
    return Settings(
        data_dir=data_dir,
        landing_dir=_path(env, "CXW_LANDING_DIR", data_dir / "landing"),
        warehouse_path=_path(env, "CXW_WAREHOUSE_PATH", data_dir / "warehouse" / "cx.duckdb"),
        serving_path=_path(env, "CXW_SERVING_PATH", data_dir / "serving" / "cx.duckdb"),
        threads=threads,
        memory_limit=env.get("CXW_MEMORY_LIMIT") or default_memory_limit(threads),
        spill_dir=_path(env, "CXW_SPILL_DIR", data_dir / "spill"),
        spill_limit=env.get("CXW_SPILL_LIMIT", "").strip() or None,
        source_time_zones={
            source: env.get(f"CXW_TZ_{source.upper()}") or "UTC"
            for source in ("crm", "web", "survey")
        },
        publish_pii=_bool(env, "CXW_PUBLISH_PII"),
        keep_releases=int(env.get("CXW_KEEP_RELEASES") or 3),
        lock_wait_seconds=float(env.get("CXW_LOCK_WAIT_SECONDS") or 60),
        mappings=tuple(
            Path(p).expanduser().resolve()
            for p in env.get("CXW_MAPPINGS", "").split(os.pathsep)
            if p.strip()
        ),
        engine=engine_setting(env),
        spark_master=env.get("CXW_SPARK_MASTER", "").strip() or "local[2]",
        spark_driver_memory=env.get("CXW_SPARK_DRIVER_MEMORY", "").strip() or "2g",
        spark_shuffle_partitions=int(env.get("CXW_SPARK_SHUFFLE_PARTITIONS") or 4),
        spark_dir=_path(env, "CXW_SPARK_DIR", data_dir / "spark"),
        spark_extra_conf=spark_extra_conf(env.get("CXW_SPARK_CONF", "")),
        spark_raw_dir=_path(
            env, "CXW_SPARK_RAW_DIR", _path(env, "CXW_SPARK_DIR", data_dir / "spark") / "raw"
        ),
    )
