"""The suppression list: people erased with `cxw forget`, kept out of every later load.

The list holds no personal data: one row per identifier of an erased person, as the keyed
hash (HMAC-SHA256 with the deployment's key, orchestration.secrets) of '<type>:<value>',
the value normalised as the identity graph compares it (orchestration.identifiers). It is
a CSV file, `$CXW_DATA_DIR/privacy/suppression.csv` (identifier_hash, erasure_id), kept
outside the warehouse so that a warehouse rebuilt from the landing folder still applies it.

The loader (`suppress_rows`) drops from a file's checked rows, before anything is
written, every record whose identifier columns (IDENTIFIER_COLUMNS) hold a suppressed
identifier, good or bad record alike; they are counted in raw.load_log.rows_suppressed, so
rows_read = rows_loaded + rows_quarantined + rows_suppressed. A record whose identifiers
cannot be read at all (a line that is not a record) cannot be matched: it is quarantined
as usual.
"""

from __future__ import annotations

import csv
import functools
import gzip
import os
import re
import shutil
import zlib
from pathlib import Path

import duckdb
import yaml

from ..config import REPO_ROOT, Settings, settings
from ..identifiers import normalize_identifier, normalize_phone
from ..secrets import hmac_key_hex, identifier_hash

# Per raw table: (identifier type of the identity graph, column) of every column that names
# a person (the identity graph's own reading, models/intermediate/identity).
IDENTIFIER_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "crm_customers": (("crm_customer_id", "customer_id"), ("email", "email"), ("phone", "phone")),
    "crm_orders": (("crm_customer_id", "customer_id"),),
    "crm_tickets": (("crm_customer_id", "customer_id"), ("email", "contact_email")),
    "web_events": (
        ("anonymous_id", "anonymous_id"),
        ("crm_customer_id", "user_id"),
        ("email", "email"),
    ),
    "survey_responses": (("crm_customer_id", "customer_id"), ("email", "respondent_email")),
}
HEADER = ("identifier_hash", "erasure_id")


def suppression_path(s: Settings | None = None) -> Path:
    return (s or settings()).data_dir / "privacy" / "suppression.csv"


@functools.cache
def phone_default_region() -> str:
    """The dbt var default_phone_region (dbt_project.yml): how the models read a phone
    number without an international prefix."""
    project = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))
    return str(project.get("vars", {}).get("default_phone_region") or "IT")


def normalized(identifier_type: str, value: str | None) -> str | None:
    """`value` as the identity graph compares it: E.164 for a phone, else
    normalize_identifier; None when it names nobody."""
    if identifier_type == "phone":
        return normalize_phone(value, phone_default_region())
    return normalize_identifier(value)


def suppression_hash(identifier_type: str, value: str, key_hex: str) -> str:
    """The list's entry for a normalised identifier: HMAC-SHA256 hex of '<type>:<value>'."""
    return identifier_hash(f"{identifier_type}:{value}", key_hex)


def read_suppression_list(path: Path) -> frozenset[str]:
    """The suppressed hashes of `path` (empty when there is no list)."""
    return _read(path, *_stamp(path))


def _stamp(path: Path) -> tuple[int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return (0, 0)
    return (stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _read(path: Path, mtime_ns: int, size: int) -> frozenset[str]:
    if not size:
        return frozenset()
    with path.open(newline="", encoding="utf-8") as handle:
        return frozenset(row["identifier_hash"] for row in csv.DictReader(handle))


def add_to_suppression_list(path: Path, hashes: list[str], erasure_id: str) -> None:
    """Append `hashes` (not already listed) to the list, durably (fsync)."""
    known = read_suppression_list(path)
    new = sorted(set(hashes) - known)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fresh = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if fresh:
            writer.writerow(HEADER)
        writer.writerows((h, erasure_id) for h in new)
        handle.flush()
        os.fsync(handle.fileno())


def suppress_rows(con: duckdb.DuckDBPyConnection, entity_name: str, table: str) -> int:
    """Delete from the loader's checked table `table` (typed columns `t_<column>`) every
    record of a suppressed person; returns how many records were deleted (0 at no cost
    when the suppression list is empty)."""
    suppressed = read_suppression_list(suppression_path())
    if not suppressed:
        return 0
    key_hex = hmac_key_hex(settings())
    (before,) = con.execute(f"select count(*) from {table}").fetchone()
    for identifier_type, column in IDENTIFIER_COLUMNS.get(entity_name, ()):
        values = con.execute(
            f"select distinct t_{column} from {table} where t_{column} is not null"
        ).fetchall()
        hits = []
        for (value,) in values:
            norm = normalized(identifier_type, value)
            if norm is not None and suppression_hash(identifier_type, norm, key_hex) in suppressed:
                hits.append(value)
        if hits:
            con.execute(f"delete from {table} where t_{column} in (select unnest(?))", [hits])
    (after,) = con.execute(f"select count(*) from {table}").fetchone()
    return before - after


# a field of a CSV or JSON line: what lies between separators and quotes
_FIELD_SEPARATORS = re.compile(r'[,;\t|"{}\[\]]')
_TYPES = ("email", "crm_customer_id", "anonymous_id", "phone")


def _line_is_suppressed(line: str, suppressed: frozenset[str], key_hex: str) -> bool:
    for field in _FIELD_SEPARATORS.split(line):
        field = field.strip()
        if not field or len(field) > 256:
            continue
        for identifier_type in _TYPES:
            if identifier_type == "phone" and not any(c.isdigit() for c in field):
                continue
            norm = normalized(identifier_type, field)
            if norm and suppression_hash(identifier_type, norm, key_hex) in suppressed:
                return True
    return False


def copy_without_suppressed(source: Path, target: Path) -> int:
    """Copy a file quarantined whole to `target`, without the lines that hold a suppressed
    identifier (any field of the line, read as each identifier type); returns how many
    lines were left out. A file that cannot be read as text (damaged gzip, Parquet) is
    copied as it is: its identifiers cannot be read either."""
    suppressed = read_suppression_list(suppression_path())
    if suppressed:
        raw = source.read_bytes()
        gzipped = raw.startswith(b"\x1f\x8b")
        try:
            text = (gzip.decompress(raw) if gzipped else raw).decode("utf-8")
        except (OSError, EOFError, zlib.error, UnicodeDecodeError):
            text = None
        if text is not None:
            key_hex = hmac_key_hex(settings())
            lines = text.splitlines(keepends=True)
            kept = [line for line in lines if not _line_is_suppressed(line, suppressed, key_hex)]
            if len(kept) < len(lines):
                data = "".join(kept).encode("utf-8")
                target.write_bytes(gzip.compress(data, mtime=0) if gzipped else data)
                return len(lines) - len(kept)
    shutil.copy2(source, target)
    return 0
