"""DDL of the `raw` schema: one table per landing entity, plus load_log and quarantine."""

from __future__ import annotations

import duckdb

from .contract import ENTITIES, LINEAGE_COLUMNS, Entity

LOAD_LOG_DDL = """
create table if not exists raw.load_log (
    batch_id varchar primary key,       -- one batch per landing file
    entity varchar not null,            -- raw table name, e.g. crm_orders
    file_path varchar not null,         -- relative to the landing folder
    file_sha256 varchar not null,       -- content hash: the same content loads once
    file_bytes bigint not null,
    file_mtime_ns bigint,               -- modification time when read (see load_file)
    status varchar not null,            -- loaded | quarantined (whole file) | duplicate | ignored
    rows_read bigint not null,          -- = rows_loaded + rows_quarantined + rows_suppressed
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    message varchar,                    -- why a file was quarantined or skipped
    started_at timestamp not null,      -- UTC
    finished_at timestamp not null,     -- UTC
    rows_suppressed bigint not null default 0  -- lines of people erased (cxw forget)
)
"""

QUARANTINE_DDL = """
create table if not exists raw.quarantine (
    batch_id varchar not null,
    entity varchar not null,
    file_path varchar not null,
    line bigint,                        -- NULL when the whole file is quarantined
    reason_code varchar not null,       -- see orchestration.loader.contract ROW_/FILE_REASONS
    reason varchar not null,            -- human-readable: what, where, what to do
    original_text varchar,              -- the record as it stood in the file
    quarantined_at timestamp not null   -- UTC
)
"""


def entity_ddl(entity: Entity) -> str:
    columns = [f"    {c.name} {c.type}" for c in entity.columns]
    columns += [f"    {name} {type_}" for name, type_ in LINEAGE_COLUMNS]
    return f"create table if not exists raw.{entity.name} (\n" + ",\n".join(columns) + "\n)"


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and its tables if they do not exist (idempotent)."""
    con.execute("create schema if not exists raw")
    for entity in ENTITIES:
        con.execute(entity_ddl(entity))
    con.execute(LOAD_LOG_DDL)
    # warehouses created before file_mtime_ns existed (the column is appended there)
    con.execute("alter table raw.load_log add column if not exists file_mtime_ns bigint")
    # and before rows_suppressed (lines of people erased with `cxw forget`)
    con.execute(
        "alter table raw.load_log add column if not exists rows_suppressed bigint default 0"
    )
    con.execute(QUARANTINE_DDL)
    _widen_decimals(con)


def _widen_decimals(con: duckdb.DuckDBPyConnection) -> None:
    """Warehouses created when amounts were decimal(18,6) get the contract's wider type
    (every stored value fits it exactly)."""
    for entity in ENTITIES:
        for column in entity.columns:
            if not column.type.startswith("decimal"):
                continue
            found = con.execute(
                "select data_type from information_schema.columns where table_schema = 'raw' "
                "and table_name = ? and column_name = ?",
                [entity.name, column.name],
            ).fetchone()
            if found and found[0].replace(" ", "").lower() != column.type.replace(" ", ""):
                con.execute(
                    f"alter table raw.{entity.name} alter column {column.name} "
                    f"set data type {column.type}"
                )
