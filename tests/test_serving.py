"""Publishing: atomic swaps, readers during publishes, rollback, leftovers of a crash."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration import serving

ROWS = 20_000


def write_warehouse(path: Path, version: int) -> None:
    """A warehouse whose two marts carry the release version in every row."""
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    for table in ("fct_a", "fct_b"):
        con.execute(
            f"create or replace table marts.{table} as "
            f"select range as id, {version} as version from range({ROWS})"
        )
    con.execute("comment on table marts.fct_a is 'table a'")
    con.execute("comment on column marts.fct_a.version is 'the release version'")
    con.execute("create schema if not exists staging")
    con.execute("create or replace table staging.not_published as select 1 as x")
    con.close()


def read_versions(path: Path) -> set[int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            row[0]
            for row in con.execute(
                "select distinct version from marts.fct_a "
                "union select distinct version from marts.fct_b"
            ).fetchall()
        }
    finally:
        con.close()


def test_publish_copies_marts_only_with_comments_and_meta(tmp_path: Path) -> None:
    warehouse, serving_path = tmp_path / "wh.duckdb", tmp_path / "serving" / "cx.duckdb"
    write_warehouse(warehouse, 1)
    release = serving.publish(warehouse, serving_path)
    assert release.tables == {"marts.fct_a": ROWS, "marts.fct_b": ROWS}
    con = duckdb.connect(str(serving_path), read_only=True)
    schemas = {r[0] for r in con.execute("select schema_name from duckdb_schemas()").fetchall()}
    assert "staging" not in schemas
    assert con.execute("select release_id from meta.release").fetchone()[0] == release.release_id
    comment = con.execute(
        "select comment from duckdb_columns() "
        "where table_name = 'fct_a' and column_name = 'version'"
    ).fetchone()[0]
    assert comment == "the release version"
    con.close()
    assert serving.current_release(serving_path) == release.path


def test_failed_build_leaves_the_current_release(tmp_path: Path) -> None:
    warehouse, serving_path = tmp_path / "wh.duckdb", tmp_path / "serving" / "cx.duckdb"
    write_warehouse(warehouse, 1)
    first = serving.publish(warehouse, serving_path)
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(serving.PublishError, match="nothing to publish"):
        serving.publish(empty, serving_path)
    assert serving.current_release(serving_path) == first.path
    assert read_versions(serving_path) == {1}
    assert not list(serving.releases_dir(serving_path).glob(".*"))


def test_rollback_and_pruning(tmp_path: Path) -> None:
    warehouse, serving_path = tmp_path / "wh.duckdb", tmp_path / "serving" / "cx.duckdb"
    for version in (1, 2, 3, 4):
        write_warehouse(warehouse, version)
        serving.publish(warehouse, serving_path, keep=3)
    assert len(serving.list_releases(serving_path)) == 3
    assert read_versions(serving_path) == {4}
    serving.rollback(serving_path)
    assert read_versions(serving_path) == {3}
    serving.rollback(serving_path)
    assert read_versions(serving_path) == {2}
    with pytest.raises(serving.PublishError, match="no earlier release"):
        serving.rollback(serving_path)
    newest = serving.list_releases(serving_path)[-1]
    serving.rollback(serving_path, to=newest.stem)
    assert read_versions(serving_path) == {4}


# Two reader processes (DuckDB shares one database instance per path within a process, so
# a held connection and fresh opens must live in different processes):
# - "reopen": opens the serving file anew for every read; must never error nor see a mix of
#   two releases, and must see the new releases as they are published;
# - "hold": keeps one connection open across every publish; must keep reading its release.
READER = textwrap.dedent(
    """
    import os, sys, duckdb
    mode, path, stop_file = sys.argv[1], sys.argv[2], sys.argv[3]
    query = (
        "select distinct version from marts.fct_a "
        "union select distinct version from marts.fct_b"
    )
    seen, reads = set(), 0
    held = duckdb.connect(path, read_only=True) if mode == "hold" else None
    while not os.path.exists(stop_file):
        con = held or duckdb.connect(path, read_only=True)
        versions = con.execute(query).fetchall()
        if held is None:
            con.close()
        if len(versions) != 1:
            print("MIXED", versions); sys.exit(3)
        seen.add(versions[0][0]); reads += 1
    print(reads, " ".join(str(v) for v in sorted(seen)))
    """
)


def test_readers_during_five_publishes_never_error_nor_mix(tmp_path: Path) -> None:
    warehouse, serving_path = tmp_path / "wh.duckdb", tmp_path / "serving" / "cx.duckdb"
    write_warehouse(warehouse, 0)
    serving.publish(warehouse, serving_path, keep=10)
    stop_file = tmp_path / "stop"
    readers = {
        mode: subprocess.Popen(
            [sys.executable, "-c", READER, mode, str(serving_path), str(stop_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode in ("reopen", "hold")
    }
    try:
        time.sleep(1.0)  # both readers have opened release 0
        for version in range(1, 6):
            write_warehouse(warehouse, version)
            serving.publish(warehouse, serving_path, keep=10)
            time.sleep(0.3)
    finally:
        stop_file.touch()
        outputs = {mode: reader.communicate(timeout=60) for mode, reader in readers.items()}
    for mode, reader in readers.items():
        assert reader.returncode == 0, (mode, outputs[mode])
    reads, *seen = outputs["reopen"][0].split()
    assert int(reads) > 5
    # fresh opens saw the new releases as they were published, never a mix of two
    assert len(seen) >= 3, seen
    assert seen[-1] == "5"
    held_reads, *held_seen = outputs["hold"][0].split()
    assert int(held_reads) > 5
    assert held_seen == ["0"]
    assert read_versions(serving_path) == {5}
