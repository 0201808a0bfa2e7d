"""Entities load side by side (one cursor each); the raw schema is the same as when they
load one after another: every row, line number, quarantine reason and load_log entry, and
each entity's files in their order."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.loader import ENTITIES, load_landing

# load and quarantine times differ between two loads; everything else must not
TIMES = {"_loaded_at", "quarantined_at", "started_at", "finished_at"}
TABLES = [entity.name for entity in ENTITIES] + ["quarantine", "load_log"]


def _load(path: Path, landing: Path, workers: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    report = load_landing(con, landing, workers=workers)
    assert report.files and all(f.status != "duplicate" for f in report.files)
    return con


@pytest.fixture(scope="module")
def side_by_side_and_one_by_one(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("entities")
    landing = sample_dir / "landing"
    one_by_one = _load(folder / "one_by_one.duckdb", landing, workers=1)
    side_by_side = _load(folder / "side_by_side.duckdb", landing, workers=len(ENTITIES))
    yield side_by_side, one_by_one
    side_by_side.close()
    one_by_one.close()


@pytest.mark.parametrize("table", TABLES)
def test_side_by_side_load_equals_one_by_one(side_by_side_and_one_by_one, table: str) -> None:
    side_by_side, one_by_one = side_by_side_and_one_by_one
    columns = [
        name
        for (name,) in one_by_one.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
        if name not in TIMES
    ]
    select = f"select {', '.join(columns)} from raw.{table} order by all"
    rows = one_by_one.execute(select).fetchall()
    assert rows
    assert side_by_side.execute(select).fetchall() == rows


def test_each_entity_loads_its_files_in_order(side_by_side_and_one_by_one) -> None:
    side_by_side, _ = side_by_side_and_one_by_one
    for (entity,) in side_by_side.execute("select distinct entity from raw.load_log").fetchall():
        loaded = side_by_side.execute(
            "select file_path from raw.load_log where entity = ? order by started_at", [entity]
        ).fetchall()
        assert loaded == sorted(loaded)
        # the rows' load times follow the same order
        batches = side_by_side.execute(
            f"select _batch_id from raw.{entity} group by _batch_id order by min(_loaded_at)"
        ).fetchall()
        logged = side_by_side.execute(
            "select batch_id from raw.load_log where entity = ? and status = 'loaded' "
            "order by started_at",
            [entity],
        ).fetchall()
        assert batches == logged
