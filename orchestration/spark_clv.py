"""The CLV fit on Spark: `python -m orchestration.spark_clv '<fit settings as JSON>'`.

Run by the Dagster asset clv_fit (orchestration/assets/clv.py) when the engine is Spark:
reads int_clv__customer_summary and int_kpi__as_of from Spark's catalog into pandas (one
row per customer), fits with the same code as on DuckDB (clv.fit_tables) and
writes int_clv__model_parameters and int_clv__predictions back as Spark tables, through
Arrow with explicit types (NaN becomes NULL, as on DuckDB). Prints the rows written as
JSON on its last line of standard output.
"""

from __future__ import annotations

import json
import sys

import pandas as pd
import pyarrow as pa

# Spark's timestamps are instants, shown in the session's time zone (UTC): in Arrow, a
# timestamp with the zone UTC. The warehouse's are naive UTC (as DuckDB's TIMESTAMP).
SPARK_TIMESTAMP = pa.timestamp("us", tz="UTC")
ARROW_TYPES = {"float64": pa.float64(), "int64": pa.int64(), "int32": pa.int32()}


def from_arrow(table: pa.Table) -> pd.DataFrame:
    """A Spark table read through Arrow as pandas, its timestamps naive UTC."""
    frame = table.to_pandas()
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            frame[name] = frame[name].dt.tz_convert("UTC").dt.tz_localize(None)
    return frame


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """`frame` (timestamps naive UTC) as an Arrow table of the types Spark reads: string
    (not large_string), double, bigint, int, timestamps as UTC instants; NaN and NA become
    NULL, as they do on DuckDB."""
    columns, fields = [], []
    for name, dtype in frame.dtypes.items():
        kind = str(dtype)
        if kind.startswith("datetime64"):
            arrow_type = SPARK_TIMESTAMP
        elif kind in ("string", "str", "object"):
            arrow_type = pa.string()
        else:
            arrow_type = ARROW_TYPES[kind]
        columns.append(pa.array(frame[name], type=arrow_type, from_pandas=True))
        fields.append(pa.field(name, arrow_type))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def main(argv: list[str] | None = None) -> int:
    from .clv import (
        AS_OF_TABLE,
        PARAMETERS_TABLE,
        PREDICTIONS_TABLE,
        SCHEMA,
        SUMMARY_TABLE,
        fit_tables,
    )
    from .spark_dbt import start_session

    args = list(sys.argv[1:] if argv is None else argv)
    fit = json.loads(args[0])
    session = start_session()
    summary = from_arrow(session.table(f"{SCHEMA}.{SUMMARY_TABLE}").toArrow())
    as_of = from_arrow(session.table(f"{SCHEMA}.{AS_OF_TABLE}").select("as_of_at").toArrow())
    calibration_end = as_of["as_of_at"].iloc[0].to_pydatetime() if len(as_of) else None
    parameters, predictions = fit_tables(summary, calibration_end, fit)
    for table, frame in ((PARAMETERS_TABLE, parameters), (PREDICTIONS_TABLE, predictions)):
        session.createDataFrame(to_arrow(frame)).write.mode("overwrite").saveAsTable(
            f"{SCHEMA}.{table}"
        )
    print(json.dumps({"parameters": len(parameters), "predictions": len(predictions)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
