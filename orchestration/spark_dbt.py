"""dbt on Apache Spark in this process: `python -m orchestration.spark_dbt build ...`.

dbt-spark's `session` method runs Spark inside the dbt process (SparkSession.builder
.getOrCreate()). The identifier functions the models call (cxw_normalize_identifier,
cxw_phone_e164: Python, orchestration.identifiers) must be registered on that session
before dbt opens it, which a plain `dbt` command cannot do; this entry point starts the
session with spark_conf(), registers them, then runs dbt (target `spark` unless the
arguments name one) in the same process, so dbt-spark's getOrCreate() finds that session.

Arguments are dbt's (`build --select ...`); the exit status is dbt's (0 ok, 1 a node
failed, 2 dbt itself failed). With CXW_SPARK_EXPORT_TO set to a DuckDB file (the Dagster
job sets it to the warehouse file), the tables this build made that the serving side
reads (spark_export.exported) are then copied into that file, in the same session.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .config import Settings, settings
from .identifiers import normalize_identifier, normalize_phone, phone_region


def default_spark_dir() -> Path:
    """CXW_SPARK_DIR, default $CXW_DATA_DIR/spark: the metastore, managed tables, raw zone."""
    return settings().spark_home


def spark_conf(spark_dir: Path | None = None, s: Settings | None = None) -> dict[str, str]:
    """Spark settings of the session, from the settings (config.py; as profiles.yml's
    `spark` target reads them): CXW_SPARK_MASTER (local[2]), CXW_SPARK_DRIVER_MEMORY (2g),
    CXW_SPARK_SHUFFLE_PARTITIONS (4), CXW_SPARK_DIR ($CXW_DATA_DIR/spark: the metastore
    and the managed tables), then CXW_SPARK_CONF's settings, which override these."""
    s = settings() if s is None else s
    if spark_dir is None:
        spark_dir = s.spark_home
    return {
        "spark.master": s.spark_master,
        "spark.driver.memory": s.spark_driver_memory,
        "spark.sql.shuffle.partitions": str(s.spark_shuffle_partitions),
        "spark.sql.warehouse.dir": str(spark_dir / "warehouse"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={spark_dir / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_dir}",
        "spark.sql.session.timeZone": "UTC",
        # the identity components unroll their label rounds (spark__identity_components):
        # each round is one more level the analyzer and optimizer resolve
        "spark.sql.analyzer.maxIterations": "1000",
        "spark.sql.optimizer.maxIterations": "1000",
        "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # Python UDFs run in workers started with this interpreter (the venv's)
        "spark.pyspark.python": sys.executable,
        "spark.pyspark.driver.python": sys.executable,
        # CXW_SPARK_CONF: a cluster's settings (metastore, executors), last: they win
        **dict(s.spark_extra_conf),
    }


def start_session():
    """The Spark session of this process, with the identifier functions registered."""
    from pyspark.sql import SparkSession
    from pyspark.sql.types import StringType

    # PySpark starts its Python workers with $PYSPARK_PYTHON (default `python3`), not with
    # spark.pyspark.python: without it the UDFs run outside the venv (no duckdb, phonenumbers)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.enableHiveSupport()
    for key, value in spark_conf().items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    session.udf.register("cxw_normalize_identifier", normalize_identifier, StringType())
    session.udf.register(
        "cxw_phone_e164",
        lambda value, region: normalize_phone(value, phone_region(region)),
        StringType(),
    )
    # the keyed hashes' key (macro hash_identifier) as a session variable: never in SQL text
    session.sql("declare or replace variable cxw_hmac_key string")
    key = os.environ.get("CXW_HMAC_KEY", "").strip()
    if key:
        session.sql("set var cxw_hmac_key = :key", args={"key": key})
    return session


def main(argv: list[str] | None = None) -> int:
    from dbt.cli.main import dbtRunner

    args = list(sys.argv[1:] if argv is None else argv)
    if "--target" not in args and "-t" not in args:
        args += ["--target", "spark"]
    # the same folder for the session, for the raw zone the macro register_raw_sources reads
    os.environ["CXW_SPARK_DIR"] = str(default_spark_dir())
    session = start_session()
    result = dbtRunner().invoke(args)
    if result.exception is not None:
        return 2
    export_to = os.environ.get("CXW_SPARK_EXPORT_TO", "").strip()
    if export_to:
        export_built(session, result.result, Path(export_to))
    return 0 if result.success else 1


def export_built(session, run_result, duckdb_path: Path) -> None:
    """Copy the tables the dbt invocation built (models and seeds that succeeded) that the
    serving side reads (spark_export.exported) into the DuckDB file `duckdb_path`."""
    import duckdb

    from .spark_export import export_tables, exported

    built = [
        (result.node.schema, result.node.alias)
        for result in getattr(run_result, "results", None) or []
        if result.node.resource_type in ("model", "seed", "snapshot") and result.status == "success"
    ]
    tables = [table for table in built if exported(*table)]
    if not tables:
        return
    con = duckdb.connect(str(duckdb_path))
    try:
        export_tables(session, tables, con)
    finally:
        con.close()
    print(f"exported {len(tables)} Spark tables into {duckdb_path}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
