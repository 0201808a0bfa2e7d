"""A small batch of new landing data (about 1 % of each entity) for the incremental run.

The batch is drawn from the rows already landed: a random sample of clean rows of each
entity, with new business keys (so they are new records, not new versions) and
timestamps moved just past the newest data, spread over the same share of the data's time
span (1 % of a year of data is about 3.7 days). A record's other timestamps keep their
distance to the one that says when it happened, but none is later than the end of that
span: the time the new extract was taken. (A customer updated four years after signing up
would otherwise be updated four years in the future, and move `as_of`, the latest
timestamp in the data, with it.) Orders, tickets and answers keep their customer_id:
existing customers come back. Files are named to sort after every existing file, as a new
extract would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.loader.contract import ENTITIES, JSON, TIMESTAMP, Entity

PREFIX = "zz_bench_increment"


@dataclass(frozen=True)
class Batch:
    entity: str
    path: Path
    rows: int


def _timestamp_columns(entity: Entity) -> list[str]:
    return [c.name for c in entity.columns if c.type == TIMESTAMP]


def _main_timestamp(entity: Entity) -> str:
    """The column that says when the record happened (the first required timestamp)."""
    return next(c.name for c in entity.columns if c.type == TIMESTAMP and c.required)


def _source(entity: Entity, folder: Path) -> str:
    glob = str(folder / entity.folder / "*").replace("'", "''")
    if entity.name == "web_events":
        columns = ", ".join(
            f"{c.name}: '{'json' if c.type == JSON else 'varchar'}'" for c in entity.columns
        )
        return (
            f"read_json('{glob}.jsonl*', format = 'newline_delimited', records = true, "
            f"columns = {{{columns}}}, ignore_errors = true)"
        )
    return (
        f"read_csv('{glob}.csv', header = true, delim = ',', quote = '\"', escape = '\"', "
        "all_varchar = true, union_by_name = true, ignore_errors = true)"
    )


_PARSE = "cast(try_cast(nullif(trim({}), '') as timestamptz) as timestamp)"


def _moved(column: str, main: str, last_at: datetime, span_seconds: float) -> str:
    """`column` moved as far as `main` is (to a random point of the span after `last_at`),
    as text; but no later than the end of the span, when the new extract was taken."""
    extracted_at = last_at + timedelta(seconds=span_seconds)
    value = f"""{_PARSE.format(column)} + to_microseconds(
        epoch_us(timestamp '{last_at}') - epoch_us({_PARSE.format(main)})
        + cast(_jitter * {span_seconds * 1e6:.0f} as bigint))"""
    # `case`, not `least`: least() skips NULLs, and an empty timestamp stays empty
    capped = f"""case when {value} > timestamp '{extracted_at}'
        then timestamp '{extracted_at}' else {value} end"""
    return f"strftime({capped}, '%Y-%m-%dT%H:%M:%SZ') as {column}"


def write_increment(
    landing_dir: Path, *, fraction: float = 0.01, seed: int = 1, run: int = 1
) -> list[Batch]:
    """Write one new file per entity into `landing_dir`; return what was written."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    batches = []
    try:
        for entity in ENTITIES:
            if not (landing_dir / entity.folder).is_dir():
                continue
            main = _main_timestamp(entity)
            ts = _timestamp_columns(entity)
            happened = _PARSE.format(main)
            con.execute(
                f"""
                create or replace temp table clean as
                select * from {_source(entity, landing_dir)}
                where nullif(trim({entity.key}), '') is not null
                  and {" and ".join(f"({_PARSE.format(c)} is not null or nullif(trim({c}), '') is null)" for c in ts)}
                  and {happened} is not null
                """  # noqa: E501
            )
            total, first_at, last_at = con.execute(
                f"select count(*), min({happened}), max({happened}) from clean"
            ).fetchone()
            if not total:
                continue
            rows = max(1, math.ceil(total * fraction))
            span_seconds = max((last_at - first_at).total_seconds() * fraction, 3600.0)
            shifted = ", ".join(_moved(c, main, last_at, span_seconds) for c in ts)
            key = f"'{PREFIX.removeprefix('zz_')}{run}_' || {entity.key} as {entity.key}"
            con.execute(f"select setseed({(seed % 1000) / 1000.0})")
            con.execute(
                f"""
                create or replace temp table batch as
                select * exclude (_jitter) replace ({key}, {shifted})
                from (
                    select *, random() as _jitter
                    from clean using sample reservoir({rows} rows) repeatable ({seed})
                )
                """
            )
            suffix = ".jsonl" if entity.name == "web_events" else ".csv"
            path = landing_dir / entity.folder / f"{PREFIX}_{run:03d}{suffix}"
            target = str(path).replace("'", "''")
            options = "format json" if suffix == ".jsonl" else "header, delimiter ','"
            con.execute(f"copy batch to '{target}' ({options})")
            batches.append(Batch(entity.name, path, rows))
    finally:
        con.close()
    return batches
