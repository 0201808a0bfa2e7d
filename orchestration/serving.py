"""Publishing the marts to the read-only serving file, atomically, with rollback.

Layout under the serving folder (default data/serving/):

    cx.duckdb                      what readers open (read-only): a hard link to one release
    releases/<release_id>.duckdb   every kept release, never modified after it is written
    releases/.<release_id>.tmp     a release being written (removed if a run dies)

A release is built from the warehouse file (attached read-only) into a temporary file,
checkpointed, fsynced and renamed into `releases/`; then a hard link to it replaces
`cx.duckdb` with one `rename` (atomic on POSIX). A reader that holds the old file open
keeps reading the old inode, consistent to the end; the next open sees the new release.
A crash at any step before the rename leaves the last good release in place.

Releases are written in DuckDB's storage format of STORAGE_COMPATIBILITY_VERSION, not the
writer's own: a file written by duckdb 2.0 in its default format fails to open in the 1.x
readers that BI connectors, the Node bindings and duckdb-wasm embed ("version number 999").
"""

from __future__ import annotations

import errno
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .config import settings
from .failpoints import failpoint

RELEASE_SUFFIX = ".duckdb"
META_SCHEMA = "meta"
# The oldest storage format that keeps the release's features: v1.2.0 brought the string
# compression the marts use (the sample's release: 6.3 MB in v1.2.0 to latest alike, 7.1 MB
# in v1.0.0); the marts hold only types every 1.x reader knows. Readers from DuckDB 1.2 on
# open it (tests/test_serving_compat.py opens a release with duckdb 1.2, 1.4 and 1.5).
STORAGE_COMPATIBILITY_VERSION = "v1.2.0"


@dataclass(frozen=True)
class Release:
    release_id: str
    path: Path
    tables: dict[str, int]  # "schema.table" -> rows
    published_at: datetime


class PublishError(RuntimeError):
    pass


@dataclass(frozen=True)
class QualityWarning:
    """A warning check of the run that failed (severity WARN): published in the release."""

    asset: str  # e.g. "marts/kpi_scorecard"
    check_name: str
    description: str


# the reporting timestamp the marts were computed at (the dbt model behind the macro as_of())
AS_OF_RELATION = ("intermediate", "int_kpi__as_of", "as_of_at")


def releases_dir(serving_path: Path) -> Path:
    return serving_path.parent / "releases"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_schema(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, int]:
    """Copy every table and view of `wh.<schema>` into the release as tables, with comments."""
    relations = con.execute(
        """
        select table_name from information_schema.tables
        where table_catalog = 'wh' and table_schema = ? order by table_name
        """,
        [schema],
    ).fetchall()
    counts: dict[str, int] = {}
    if not relations:
        return counts
    con.execute(f"create schema if not exists {_quote(schema)}")
    for (table,) in relations:
        target = f"{_quote(schema)}.{_quote(table)}"
        con.execute(f"create table {target} as select * from wh.{target}")
        counts[f"{schema}.{table}"] = con.execute(f"select count(*) from {target}").fetchone()[0]
    _copy_comments(con, schema)
    return counts


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """Carry the dbt descriptions (persisted as comments) over, so readers see them."""
    for table, comment in con.execute(
        """
        select table_name, comment from duckdb_tables()
        where database_name = 'wh' and schema_name = ? and comment is not null
        union all
        select view_name, comment from duckdb_views()
        where database_name = 'wh' and schema_name = ? and comment is not null
        """,
        [schema, schema],
    ).fetchall():
        con.execute(f"comment on table {_quote(schema)}.{_quote(table)} is {_literal(comment)}")
    for table, column, comment in con.execute(
        """
        select table_name, column_name, comment from duckdb_columns()
        where database_name = 'wh' and schema_name = ? and comment is not null
        """,
        [schema],
    ).fetchall():
        con.execute(
            f"comment on column {_quote(schema)}.{_quote(table)}.{_quote(column)} "
            f"is {_literal(comment)}"
        )


def _as_of(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The warehouse's as_of (see AS_OF_RELATION), or None if it has no such model."""
    schema, relation, column = AS_OF_RELATION
    exists = con.execute(
        """
        select count(*) from information_schema.tables
        where table_catalog = 'wh' and table_schema = ? and table_name = ?
        """,
        [schema, relation],
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute(
        f"select {_quote(column)} from wh.{_quote(schema)}.{_quote(relation)} limit 1"
    ).fetchone()
    return row[0] if row else None


def new_release_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S%fZ") + "-" + uuid.uuid4().hex[:6]


def build_release(
    warehouse_path: Path,
    serving_path: Path,
    *,
    schemas: tuple[str, ...] = ("marts",),
    run_id: str | None = None,
    build_fingerprint: str | None = None,
    quality_warnings: Sequence[QualityWarning] = (),
) -> Release:
    """Write a new release file from the warehouse; does not make it current.

    Besides the schemas, the release holds `meta.release` (one row: release_id,
    published_at, run_id, warehouse_path, build_fingerprint: see orchestration.build_state,
    so a later run can tell that it would rebuild the same release; as_of: the marts'
    reporting timestamp, NULL if the warehouse has no as_of model), `meta.release_tables`
    (table_name, row_count) and `meta.quality_warnings` (asset, check_name, description:
    the run's failed warning checks; no rows when none failed).
    """
    if not warehouse_path.exists():
        raise PublishError(
            f"warehouse file {warehouse_path} does not exist: run the pipeline first (cxw run)"
        )
    folder = releases_dir(serving_path)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(".*.tmp*"):  # from a run that died mid-publish
        leftover.unlink(missing_ok=True)
    published_at = datetime.now(UTC)
    release_id = new_release_id(published_at)
    tmp = folder / f".{release_id}.tmp"
    final = folder / f"{release_id}{RELEASE_SUFFIX}"
    # the run's memory limit and spill folder; the tables keep the warehouse's row order
    con = settings().connect_duckdb(
        tmp,
        storage_compatibility_version=STORAGE_COMPATIBILITY_VERSION,
        preserve_insertion_order=True,
    )
    try:
        con.execute("attach ? as wh (read_only)", [str(warehouse_path)])
        tables: dict[str, int] = {}
        for schema in schemas:
            tables.update(_copy_schema(con, schema))
            failpoint("publish.inside_copy")
        if not tables:
            raise PublishError(
                f"the warehouse {warehouse_path} has no tables in schemas {', '.join(schemas)}: "
                "nothing to publish (did dbt build run?)"
            )
        con.execute(f"create schema {META_SCHEMA}")
        con.execute(
            f"""
            create table {META_SCHEMA}.release as
            select ?::varchar as release_id, ?::timestamp as published_at,
                   ?::varchar as run_id, ?::varchar as warehouse_path,
                   ?::varchar as build_fingerprint,
                   ?::timestamp as as_of
            """,
            [
                release_id,
                published_at.replace(tzinfo=None),
                run_id,
                str(warehouse_path),
                build_fingerprint,
                _as_of(con),
            ],
        )
        con.execute(
            f"create table {META_SCHEMA}.quality_warnings "
            "(asset varchar, check_name varchar, description varchar)"
        )
        if quality_warnings:
            con.executemany(
                f"insert into {META_SCHEMA}.quality_warnings values (?, ?, ?)",
                [(w.asset, w.check_name, w.description) for w in quality_warnings],
            )
        con.execute(
            f"create table {META_SCHEMA}.release_tables (table_name varchar, row_count bigint)"
        )
        con.executemany(
            f"insert into {META_SCHEMA}.release_tables values (?, ?)", list(tables.items())
        )
        con.execute("detach wh")
        con.execute("checkpoint")
        con.close()
        _fsync(tmp)
    except BaseException as exc:
        con.close()
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        if isinstance(exc, Exception) and _out_of_space(exc):
            raise PublishError(_out_of_space_message(exc, tmp, serving_path)) from exc
        raise
    os.replace(tmp, final)
    _fsync(folder)
    return Release(release_id, final, tables, published_at)


_NO_SPACE = re.compile(r"no space left|disk quota|file too large|not enough space", re.I)


def _out_of_space(exc: Exception) -> bool:
    """A write the file system refused for lack of room: ENOSPC, EDQUOT, EFBIG (a file
    size limit), as an OSError or as DuckDB's message."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return True
    return bool(_NO_SPACE.search(str(exc)))


def _out_of_space_message(exc: Exception, tmp: Path, serving_path: Path) -> str:
    first = (str(exc).strip().splitlines() or [""])[0]
    current = current_release(serving_path)
    size = f"; the current release is {current.stat().st_size:,} bytes" if current else ""
    return (
        f"the release could not be written to {tmp}: the file system is full or a file size "
        f"limit was reached ({first}). The temporary file is removed and "
        + (
            f"release {current.stem} stays current, unchanged"
            if current
            else "nothing was served yet"
        )
        + f". Free space on the disk of {tmp.parent} (a release needs about the size of the "
        f"marts{size}; CXW_KEEP_RELEASES keeps fewer), or point CXW_SERVING_PATH at a disk "
        "with room, and run again"
    )


def make_current(release_path: Path, serving_path: Path) -> None:
    """Point the serving path at a release with one atomic rename of a hard link."""
    swap = serving_path.parent / f".{serving_path.name}.swap"
    swap.unlink(missing_ok=True)
    os.link(release_path, swap)
    os.replace(swap, serving_path)
    _fsync(serving_path.parent)


def list_releases(serving_path: Path) -> list[Path]:
    """Kept releases, oldest first (release ids sort by time)."""
    folder = releases_dir(serving_path)
    if not folder.exists():
        return []
    return sorted(p for p in folder.glob(f"*{RELEASE_SUFFIX}") if not p.name.startswith("."))


def current_release(serving_path: Path) -> Path | None:
    """The release file the serving path links to, if any."""
    if not serving_path.exists():
        return None
    inode = serving_path.stat().st_ino
    for release in list_releases(serving_path):
        if release.stat().st_ino == inode:
            return release
    return None


def prune_releases(serving_path: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` releases; never the current one."""
    current = current_release(serving_path)
    releases = list_releases(serving_path)
    removed = []
    for release in releases[: max(len(releases) - keep, 0)]:
        if release != current:
            release.unlink()
            removed.append(release)
    return removed


def publish(
    warehouse_path: Path,
    serving_path: Path,
    *,
    schemas: tuple[str, ...] = ("marts",),
    keep: int = 3,
    run_id: str | None = None,
    build_fingerprint: str | None = None,
    quality_warnings: Sequence[QualityWarning] = (),
) -> Release:
    """Build a release from the warehouse, make it current, prune old ones."""
    release = build_release(
        warehouse_path,
        serving_path,
        schemas=schemas,
        run_id=run_id,
        build_fingerprint=build_fingerprint,
        quality_warnings=quality_warnings,
    )
    make_current(release.path, serving_path)
    failpoint("publish.after_swap")
    prune_releases(serving_path, keep)
    return release


def rollback(serving_path: Path, to: str | None = None) -> Path:
    """Make an earlier release current: the one named `to`, or the one before the current."""
    releases = list_releases(serving_path)
    if not releases:
        raise PublishError(f"no releases kept under {releases_dir(serving_path)}")
    if to is not None:
        matches = [r for r in releases if r.stem == to or r.stem.startswith(to)]
        if len(matches) != 1:
            known = ", ".join(r.stem for r in releases)
            raise PublishError(f"release {to!r} not found (or ambiguous); kept releases: {known}")
        target = matches[0]
    else:
        current = current_release(serving_path)
        if current is None or releases.index(current) == 0:
            raise PublishError(
                "no earlier release to roll back to; kept releases: "
                + ", ".join(r.stem for r in releases)
            )
        target = releases[releases.index(current) - 1]
    make_current(target, serving_path)
    return target
