"""Which landing files no run has handled yet, without reading or hashing them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

from .contract import ENTITIES, Entity
from .discovery import landing_files, relative_name


def unhandled_files(
    con: duckdb.DuckDBPyConnection | None,
    landing_dir: Path,
    entities: tuple[Entity, ...] = ENTITIES,
    mappings: Iterable | None = None,
) -> list[Path]:
    """Landing files whose path, size and modification time match no row of raw.load_log.

    The files source mappings cover count too: `mappings` (LoadedMapping), by default the
    configured ones (CXW_MAPPINGS).

    The same test the loader uses to skip a file without re-reading it (see load_file), so
    a file this returns is one the next run reads. `con` is a connection to the warehouse,
    or None when there is no warehouse yet (every file is then unhandled).
    """
    handled: set[tuple[str, str, int, int]] = set()
    if (
        con is not None
        and con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'load_log'"
        ).fetchone()[0]
    ):
        handled = {
            (entity, path, size, mtime)
            for entity, path, size, mtime in con.execute(
                "select entity, file_path, file_bytes, file_mtime_ns from raw.load_log "
                "where file_mtime_ns is not null"
            ).fetchall()
        }
    pending = []
    for entity in entities:
        for path in landing_files(landing_dir, entity):
            stat = path.stat()
            key = (entity.name, relative_name(path, landing_dir), stat.st_size, stat.st_mtime_ns)
            if key not in handled:
                pending.append(path)
    from .mapping import configured_mappings, mapped_files  # mapping imports the loader

    names = {entity.name for entity in entities}
    for m in configured_mappings() if mappings is None else mappings:
        if m.entity.name not in names:
            continue
        for path in mapped_files(m, landing_dir):
            stat = path.stat()
            key = (m.entity.name, relative_name(path, landing_dir), stat.st_size, stat.st_mtime_ns)
            if key not in handled:
                pending.append(path)
    return pending
