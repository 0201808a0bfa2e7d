"""Right to erasure (`cxw forget`): a person out of every file the warehouse writes.

`forget(identifier_type, value)` holds the writer lock (as `cxw run`) for all of it:

1. resolve the person through the identity graph: the unified customer(s) holding the
   given email, phone or CRM customer id (intermediate.int_identity__customer_keys), and
   every identifier of theirs (emails, phones, CRM ids, web anonymous ids), plus the
   emails and phones their own CRM records carried that belong to nobody else;
2. delete their records from every raw table (any identifier column, loader/suppression.py
   IDENTIFIER_COLUMNS) and their lines from raw.quarantine (any of their identifiers in the
   line's text); each load batch's counts move from rows_loaded / rows_quarantined to
   rows_suppressed, so rows_read = rows_loaded + rows_quarantined + rows_suppressed holds;
3. add the keyed hashes of their identifiers to the suppression list, which every later
   load applies (an old landing file landed again cannot bring them back);
4. rebuild every model from raw (`cxw run --full-refresh`) and publish a release without
   them; delete every other kept release (they hold the person: `cxw rollback` can only go
   back to releases made after the erasure);
5. rewrite the warehouse file into a fresh file (COPY FROM DATABASE) renamed over it:
   DuckDB reuses the blocks a DELETE frees but does not wipe them, so the old file still
   held the values;
6. scrub every other file under the data folder that holds one of their values, or an
   unkeyed sha256/md5 hex of one (run logs, dbt's target and logs, Great Expectations'
   results and Data Docs, quarantine copies, gzipped or not): text is rewritten with the
   value replaced by `[erased]` (a quarantine copy loses the person's lines), a binary
   file holding a value is deleted;
7. append to `$CXW_DATA_DIR/privacy/erasures.jsonl` what was done, without personal data:
   the keyed hash of the identifier asked for, counts, the rewritten files' count.

The landing folder belongs to the user: the landing files that hold the person are
printed (`landing_files`), for the user to delete or redact; the suppression list keeps
them out of the warehouse meanwhile.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import uuid
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from .config import Settings, settings
from .identifiers import register_functions
from .loader.contract import ENTITIES
from .loader.schema import ensure_raw_schema
from .loader.suppression import (
    IDENTIFIER_COLUMNS,
    add_to_suppression_list,
    normalized,
    phone_default_region,
    suppression_hash,
    suppression_path,
)
from .resources import writer_lock
from .secrets import hmac_key_hex, key_file

ERASED = b"[erased]"
IDENTITY_RELATION = "intermediate.int_identity__customer_keys"
# what `cxw forget --email/--phone/--customer-id` names: the identity graph's types
KINDS = {"email": "email", "phone": "phone", "customer_id": "crm_customer_id"}
_DUCKDB_MAGIC = b"DUCK"  # at offset 8 of a DuckDB database file


class ErasureError(RuntimeError):
    pass


@dataclass
class ErasureReport:
    erasure_id: str
    requested_hash: str  # keyed hash of the identifier asked for (no personal data)
    customers: int = 0  # unified customers found
    identifiers: dict[str, int] = field(default_factory=dict)  # type -> how many
    raw_rows: dict[str, int] = field(default_factory=dict)  # raw table -> rows deleted
    quarantine_rows: int = 0
    landing_files: list[str] = field(default_factory=list)  # relative to the landing folder
    release: str | None = None
    releases_removed: int = 0
    files_scrubbed: list[str] = field(default_factory=list)  # relative to the data folder
    files_removed: list[str] = field(default_factory=list)
    warehouse_bytes: tuple[int, int] = (0, 0)  # before, after the rewrite


def _sql_normalized(identifier_type: str, column: str) -> str:
    """SQL of the identity graph's normalisation (macros normalize_identifier/_phone)."""
    if identifier_type == "phone":
        region = phone_default_region().replace("'", "''")
        return f"cxw_phone_e164({column}, '{region}')"
    return (
        f"case when regexp_full_match({column}, '[!-~]+') then lower({column}) "
        f"else cxw_normalize_identifier({column}) end"
    )


def _has_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def resolve_person(
    con: duckdb.DuckDBPyConnection, identifier_type: str, value: str
) -> tuple[int, set[tuple[str, str]]]:
    """(unified customers found, every (identifier type, normalised value) of theirs).

    Raises ErasureError when `value` is no valid identifier of its type."""
    wanted = normalized(identifier_type, value)
    if wanted is None:
        raise ErasureError(
            f"{value!r} is not a valid {identifier_type.replace('_', ' ')} "
            + ("(libphonenumber cannot read it) " if identifier_type == "phone" else "")
            + "; give it as it appears in the extracts"
        )
    identifiers = {(identifier_type, wanted)}
    schema, name = IDENTITY_RELATION.split(".")
    keys: list[str] = []
    if _has_relation(con, schema, name):
        keys = [
            k
            for (k,) in con.execute(
                f"select distinct customer_key from {IDENTITY_RELATION} "
                "where identifier_type = ? and identifier_value = ?",
                [identifier_type, wanted],
            ).fetchall()
        ]
        if keys:
            identifiers |= set(
                con.execute(
                    f"select identifier_type, identifier_value from {IDENTITY_RELATION} "
                    "where customer_key in (select unnest(?))",
                    [keys],
                ).fetchall()
            )
    # the emails and phones the person's own CRM records carry (older versions too) that
    # belong to no other customer: e.g. a corrected typo, a phone given up
    crm_ids = [v for t, v in identifiers if t == "crm_customer_id"]
    if crm_ids:
        taken: set[tuple[str, str]] = set()
        if keys:
            taken = set(
                con.execute(
                    f"select identifier_type, identifier_value from {IDENTITY_RELATION} "
                    "where customer_key not in (select unnest(?))",
                    [keys],
                ).fetchall()
            )
        for identifier_type_, column in (("email", "email"), ("phone", "phone")):
            found = con.execute(
                f"select distinct {_sql_normalized(identifier_type_, column)} "
                "from raw.crm_customers where "
                f"{_sql_normalized('crm_customer_id', 'customer_id')} in (select unnest(?))",
                [crm_ids],
            ).fetchall()
            for (v,) in found:
                if v is not None and (identifier_type_, v) not in taken:
                    identifiers.add((identifier_type_, v))
    return len(keys), identifiers


def _delete_raw_rows(
    con: duckdb.DuckDBPyConnection, identifiers: set[tuple[str, str]], report: ErasureReport
) -> tuple[set[str], set[tuple[str, str]]]:
    """Delete the person's raw records; returns the raw text of their identifiers and
    their names ((first_name, last_name) pairs), for the quarantine and the scrub."""
    values: set[str] = set()
    names: set[tuple[str, str]] = set()
    files: set[str] = set()
    by_type: dict[str, list[str]] = {}
    for t, v in identifiers:
        by_type.setdefault(t, []).append(v)
    for entity in ENTITIES:
        pairs = [(t, c) for t, c in IDENTIFIER_COLUMNS.get(entity.name, ()) if t in by_type]
        if not pairs:
            continue
        condition = " or ".join(
            f"{_sql_normalized(t, c)} in (select unnest(${i}))"
            for i, (t, c) in enumerate(pairs, start=1)
        )
        id_columns = [c for _, c in IDENTIFIER_COLUMNS[entity.name]]
        name_columns = ["first_name", "last_name"] if entity.name == "crm_customers" else []
        con.execute(
            "create or replace temp table __cxw_erase as select rowid as row_id, _batch_id, "
            f"_file, {', '.join(id_columns + name_columns)} from raw.{entity.name} "
            f"where {condition}",
            [by_type[t] for t, _ in pairs],
        )
        for row in con.execute(
            f"select {', '.join(id_columns + name_columns)} from __cxw_erase"
        ).fetchall():
            values.update(v for v in row[: len(id_columns)] if isinstance(v, str) and v.strip())
            first, last = (*row[len(id_columns) :], None, None)[:2]
            if first and last and first.strip() and last.strip():
                names.add((first.strip(), last.strip()))
        files.update(f for (f,) in con.execute("select distinct _file from __cxw_erase").fetchall())
        con.execute(
            "update raw.load_log set rows_loaded = rows_loaded - erased.n, "
            "rows_suppressed = coalesce(rows_suppressed, 0) + erased.n from "
            "(select _batch_id, count(*) as n from __cxw_erase group by _batch_id) as erased "
            "where load_log.batch_id = erased._batch_id"
        )
        (report.raw_rows[entity.name],) = con.execute("select count(*) from __cxw_erase").fetchone()
        con.execute(
            f"delete from raw.{entity.name} where rowid in (select row_id from __cxw_erase)"
        )
        con.execute("drop table __cxw_erase")
    report.landing_files = sorted(files)
    return values, names


def _delete_quarantine_lines(
    con: duckdb.DuckDBPyConnection, values: Iterable[str], report: ErasureReport
) -> None:
    """Delete the quarantined lines whose text or reason holds one of the person's
    identifiers (as a whole word: customer id C12 is not in C123)."""
    pattern = _pattern(needles_of(values))
    if pattern is None:
        return
    rows = con.execute(
        "select rowid, batch_id, file_path, coalesce(original_text, '') || ' ' || reason "
        "from raw.quarantine"
    ).fetchall()
    doomed = [(r, b, f) for r, b, f, text in rows if pattern.search(text.encode())]
    report.quarantine_rows = len(doomed)
    if not doomed:
        return
    con.execute(
        "create or replace temp table __cxw_erase as select unnest($1) as row_id, "
        "unnest($2) as batch_id",
        [[d[0] for d in doomed], [d[1] for d in doomed]],
    )
    con.execute(
        "update raw.load_log set rows_quarantined = rows_quarantined - erased.n, "
        "rows_suppressed = coalesce(rows_suppressed, 0) + erased.n from "
        "(select batch_id, count(*) as n from __cxw_erase group by batch_id) as erased "
        "where load_log.batch_id = erased.batch_id"
    )
    con.execute("delete from raw.quarantine where rowid in (select row_id from __cxw_erase)")
    con.execute("drop table __cxw_erase")
    report.landing_files = sorted(set(report.landing_files) | {d[2] for d in doomed})


def needles_of(values: Iterable[str]) -> list[bytes]:
    """What the scrub looks for: each value as written and normalised, and the unkeyed
    sha256 and md5 hex of both (a plain hash of a value identifies it as well as the value)."""
    forms: set[str] = set()
    for value in values:
        for form in (value, value.strip(), value.strip().lower()):
            # matched as whole words (_pattern), so a two-character id such as C2 or a1
            # is found in a quarantined line without matching C23; one character would
            # match everywhere
            if len(form) >= 2:
                forms.add(form)
    hashed = {
        algorithm(form.encode()).hexdigest()
        for form in forms
        for algorithm in (hashlib.sha256, hashlib.md5)
    }
    return sorted({f.encode() for f in forms | hashed}, key=len, reverse=True)


def _pattern(needles: list[bytes]) -> re.Pattern[bytes] | None:
    """The needles as whole words (no letter or digit either side), any case."""
    if not needles:
        return None
    alternatives = b"|".join(re.escape(n) for n in needles)
    return re.compile(rb"(?<![A-Za-z0-9])(?:" + alternatives + rb")(?![A-Za-z0-9])", re.IGNORECASE)


def _read_maybe_gzip(path: Path) -> tuple[bytes, bool]:
    """(content, is_gzip): gunzipped when gzip, as much as can be read when damaged."""
    raw = path.read_bytes()
    if not raw.startswith(b"\x1f\x8b"):
        return raw, False
    try:
        return gzip.decompress(raw), True
    except (OSError, EOFError, zlib.error):
        partial = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            return partial.decompress(raw), True
        except zlib.error:
            return raw, True


def _is_duckdb(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(12)
    except OSError:
        return False
    return head[8:12] == _DUCKDB_MAGIC


def _write_atomically(path: Path, content: bytes, gzipped: bool) -> None:
    tmp = path.with_name(f".{path.name}.erasure-tmp")
    data = gzip.compress(content, mtime=0) if gzipped else content
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, path.stat().st_mode & 0o777)
    os.replace(tmp, path)


def _erase_name_pairs(content: bytes, name_pairs: list[tuple[bytes, bytes]]) -> bytes:
    """Each line holding both a first and a last name of the person has both erased (a
    name alone is shared by other people and is left)."""
    if not name_pairs:
        return content
    patterns = [(_pattern([first]), _pattern([last])) for first, last in name_pairs]
    lines = content.splitlines(keepends=True)
    for i, line in enumerate(lines):
        for first, last in patterns:
            if first.search(line) and last.search(line):
                line = last.sub(ERASED, first.sub(ERASED, line))
        lines[i] = line
    return b"".join(lines)


def scrub_files(
    root: Path,
    needles: list[bytes],
    *,
    name_pairs: list[tuple[bytes, bytes]] = (),
    skip: Callable[[Path], bool],
    line_folders: Iterable[Path] = (),
) -> tuple[list[Path], list[Path]]:
    """Rewrite or delete every file under `root` holding a needle or a line with a name
    pair (see the module docstring, step 6); returns (rewritten, deleted). Under
    `line_folders` (quarantine copies) the lines holding a needle are dropped."""
    pattern = _pattern(needles)
    if pattern is None:
        return [], []
    name_pairs = list(name_pairs)
    line_folders = [Path(f) for f in line_folders]
    rewritten, deleted = [], []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink() or skip(path) or _is_duckdb(path):
            continue
        content, gzipped = _read_maybe_gzip(path)
        scrubbed = _erase_name_pairs(content, name_pairs)
        if not pattern.search(scrubbed) and scrubbed == content:
            continue
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            path.unlink()  # binary (a parquet copy, a damaged gzip, msgpack): cannot redact
            deleted.append(path)
            continue
        if any(path.is_relative_to(f) for f in line_folders):
            lines = content.splitlines(keepends=True)
            content = b"".join(line for line in lines if not pattern.search(line))
        content = pattern.sub(ERASED, _erase_name_pairs(content, name_pairs))
        _write_atomically(path, content, gzipped)
        rewritten.append(path)
    return rewritten, deleted


def rewrite_database(path: Path) -> tuple[int, int]:
    """Copy the DuckDB file `path` into a fresh file (COPY FROM DATABASE: tables, views,
    comments) and rename it over `path`, so no freed block of the old file remains;
    returns (bytes before, bytes after)."""
    con = duckdb.connect(str(path))
    con.execute("checkpoint")  # fold the write-ahead log into the file first
    con.close()
    before = path.stat().st_size
    tmp = path.with_name(f".{path.name}.rewrite")
    for leftover in (tmp, Path(f"{tmp}.wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute("attach ? as __cxw_source (read_only)", [str(path)])
        # the copy takes the file's catalog name, which views may name
        catalog = '"' + path.stem.replace('"', '""') + '"'
        con.execute(f"attach ? as {catalog}", [str(tmp)])
        con.execute(f"copy from database __cxw_source to {catalog}")
        con.execute("detach __cxw_source")
        con.execute(f"checkpoint {catalog}")
        con.execute(f"detach {catalog}")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    Path(f"{path}.wal").unlink(missing_ok=True)
    return before, path.stat().st_size


def erasure_log_path(s: Settings | None = None) -> Path:
    return (s or settings()).data_dir / "privacy" / "erasures.jsonl"


def forget(
    kind: str, value: str, *, log_path: Path | None = None, say: Callable[[str], None] = print
) -> ErasureReport:
    """Erase the person holding `value` (`kind`: email, phone or customer_id); see the
    module docstring. Raises ErasureError (what, where, what to do) when it cannot."""
    from .runner import format_report, run_pipeline  # Dagster is slow to import

    if kind not in KINDS:
        raise ErasureError(f"unknown identifier kind {kind!r}: use one of {', '.join(KINDS)}")
    identifier_type = KINDS[kind]
    s = settings()
    key_hex = hmac_key_hex(s)
    if not s.warehouse_path.exists():
        raise ErasureError(
            f"no warehouse at {s.warehouse_path}: nothing to erase yet (check CXW_DATA_DIR)"
        )
    wanted = normalized(identifier_type, value)
    report = ErasureReport(
        erasure_id=datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6],
        requested_hash=suppression_hash(identifier_type, wanted or value, key_hex),
    )
    started_at = datetime.now(UTC)
    with writer_lock(s.warehouse_path, s.lock_wait_seconds):
        con = s.connect_duckdb(s.warehouse_path)
        try:
            register_functions(con)
            ensure_raw_schema(con)
            report.customers, identifiers = resolve_person(con, identifier_type, value)
            # an erasure that was stopped half way: what it had found is done again
            pending = _read_pending(s)
            identifiers |= pending["identifiers"]
            for t, _ in identifiers:
                report.identifiers[t] = report.identifiers.get(t, 0) + 1
            con.execute("begin transaction")
            try:
                id_values, names = _delete_raw_rows(con, identifiers, report)
                id_values |= {v for _, v in identifiers} | pending["values"]
                names |= pending["names"]
                _delete_quarantine_lines(con, id_values, report)
                report.landing_files = sorted(set(report.landing_files) | pending["files"])
                # before the commit: once the rows are gone, this is where their values are
                # until the erasure ends (removed then)
                pending_path = _write_pending(s, report, identifiers, id_values, names)
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise
        finally:
            con.close()
        add_to_suppression_list(
            suppression_path(s),
            [suppression_hash(t, v, key_hex) for t, v in sorted(identifiers)],
            report.erasure_id,
        )
        say(
            f"erasure {report.erasure_id}: {report.customers} customer(s), "
            f"{sum(report.identifiers.values())} identifier(s), "
            f"{sum(report.raw_rows.values())} raw row(s) and {report.quarantine_rows} "
            "quarantined line(s) deleted; rebuilding the marts (cxw run --full-refresh)"
        )
        run = run_pipeline(full_refresh=True, log_path=log_path)
        if not run.ok:
            raise ErasureError(
                "the person is out of raw and on the suppression list, but the rebuild "
                "failed, so the releases still hold them:\n"
                + format_report(run)
                + "\nfix the cause and run `cxw forget` again with the same identifier"
            )
        report.release = run.published_release
        from .serving import current_release, list_releases

        current = current_release(s.serving_path)
        for release in list_releases(s.serving_path):
            if release != current:
                release.unlink()
                report.releases_removed += 1
        report.warehouse_bytes = rewrite_database(s.warehouse_path)
        protected = _protected_paths(s)
        rewritten, deleted = scrub_files(
            s.data_dir,
            needles_of(id_values | {f"{a} {b}" for a, b in names} | {f"{b} {a}" for a, b in names}),
            name_pairs=sorted({(a.encode(), b.encode()) for a, b in names}),
            skip=lambda p: any(p == q or p.is_relative_to(q) for q in protected),
            line_folders=[s.quarantine_dir],
        )
        report.files_scrubbed = [_relative(p, s.data_dir) for p in rewritten]
        report.files_removed = [_relative(p, s.data_dir) for p in deleted]
        _log_erasure(s, report, identifier_type, started_at)
        for path in [pending_path, *_pending_paths(s)]:
            path.unlink(missing_ok=True)
    return report


def _pending_paths(s: Settings) -> list[Path]:
    return sorted(erasure_log_path(s).parent.glob("pending-*.json"))


def _read_pending(s: Settings) -> dict:
    """What erasures stopped half way had found (their pending files)."""
    found: dict = {"identifiers": set(), "values": set(), "names": set(), "files": set()}
    for path in _pending_paths(s):
        data = json.loads(path.read_text(encoding="utf-8"))
        found["identifiers"] |= {tuple(i) for i in data["identifiers"]}
        found["values"] |= set(data["values"])
        found["names"] |= {tuple(n) for n in data["names"]}
        found["files"] |= set(data["landing_files"])
    return found


def _write_pending(
    s: Settings,
    report: ErasureReport,
    identifiers: set[tuple[str, str]],
    values: set[str],
    names: set[tuple[str, str]],
) -> Path:
    """The person's values while the erasure runs (owner-only, deleted at its end), so
    that an erasure stopped half way (killed, a failed rebuild) can be finished by running
    `cxw forget` again: the raw rows that named them are gone by then."""
    path = erasure_log_path(s).parent / f"pending-{report.erasure_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "identifiers": sorted(identifiers),
                "values": sorted(values),
                "names": sorted(names),
                "landing_files": report.landing_files,
            },
            handle,
        )
        handle.flush()
        os.fsync(handle.fileno())
    return path


def _protected_paths(s: Settings) -> list[Path]:
    """What the scrub never touches: the user's landing folder, the key, the list itself."""
    return [
        s.landing_dir.resolve(),
        key_file(s).resolve(),
        suppression_path(s).parent.resolve(),
    ]


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _log_erasure(
    s: Settings, report: ErasureReport, identifier_type: str, started_at: datetime
) -> None:
    """Append the request to the erasure log: no value, no name, no file name (a file
    name may hold a name), only the keyed hash and counts."""
    entry = {
        "erasure_id": report.erasure_id,
        "requested_at": started_at.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "identifier_type": identifier_type,
        "identifier_hash": report.requested_hash,
        "customers": report.customers,
        "identifiers": report.identifiers,
        "raw_rows_deleted": report.raw_rows,
        "quarantine_lines_deleted": report.quarantine_rows,
        "landing_files_holding_them": len(report.landing_files),
        "release": report.release,
        "releases_removed": report.releases_removed,
        "files_scrubbed": len(report.files_scrubbed),
        "files_removed": len(report.files_removed),
        "warehouse_bytes_before_after": list(report.warehouse_bytes),
    }
    path = erasure_log_path(s)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, sort_keys=True) + "\n")


def format_erasure(report: ErasureReport, landing_dir: Path) -> str:
    lines = [
        f"erasure {report.erasure_id}: done (logged as {report.requested_hash[:16]}...)",
        f"  person    : {report.customers} unified customer(s), identifiers "
        + (", ".join(f"{n} {t}" for t, n in sorted(report.identifiers.items())) or "none"),
        f"  raw       : {sum(report.raw_rows.values())} row(s) deleted ("
        + ", ".join(f"{t} {n}" for t, n in report.raw_rows.items() if n)
        + f"), {report.quarantine_rows} quarantined line(s)",
        f"  releases  : {report.release} published without them; "
        f"{report.releases_removed} older release(s) deleted",
        f"  warehouse : rewritten into a fresh file ({report.warehouse_bytes[0]} -> "
        f"{report.warehouse_bytes[1]} bytes)",
        f"  files     : {len(report.files_scrubbed)} rewritten, {len(report.files_removed)} "
        "deleted (logs, dbt artifacts, Data Docs, quarantine copies)",
        "  later loads: their identifiers are on the suppression list (keyed hashes)",
    ]
    if report.landing_files:
        lines.append(
            f"  landing   : these files in {landing_dir} hold the person; they are yours: "
            "delete them or remove the person's lines (the suppression list keeps them "
            "out meanwhile):"
        )
        lines += [f"    {name}" for name in report.landing_files]
    else:
        lines.append("  landing   : no loaded landing file holds the person")
    return "\n".join(lines)
