"""Load landing files into the DuckDB `raw` schema: one transaction per file.

Per file: skip it when the same path with the same size and modification time was
handled before (the quick check of make, rsync and git; it spares re-hashing gigabytes of
history on every run), else hash it (sha256, streamed), skip it when its content is already
loaded, read it
with DuckDB into a staging table, type and check every record in SQL, then in one
transaction append the good records to raw.<entity>, the bad ones to raw.quarantine and a
row to raw.load_log. A file that cannot be read at all is quarantined whole (one
raw.quarantine row with line NULL, load_log status 'quarantined', and a copy of the file in
`quarantine_dir/<batch_id>/`). A lack of memory, disk or I/O is not bad input: the file's
load fails with LoadResourceError and leaves it unhandled, for the next run (errors.py).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ..failpoints import failpoint
from .contract import ENTITIES, Entity
from .diagnosis import diagnosis
from .discovery import EntityFiles, entity_files, file_format, list_landing, relative_name
from .errors import LoadResourceError, resource_kind
from .fingerprint import Fingerprint, fingerprint
from .readers import STAGED, FileRejected, Staged, stage_csv, stage_jsonl, stage_parquet
from .schema import ensure_raw_schema
from .suppression import copy_without_suppressed, suppress_rows
from .validation import checked_select

CHECKED = "__cxw_checked"
READERS = {
    "csv": stage_csv,
    "jsonl": stage_jsonl,
    "jsonl.gz": stage_jsonl,
    "parquet": stage_parquet,
}


@dataclass(frozen=True)
class Reader:
    """How a file is staged when it is not in the contract's own shape (source mappings):
    `stage` leaves the staged view, `fmt` is its text format for the fingerprint, `utf8`
    says whether the file must be UTF-8, and `on_loaded(con, batch_id)` records extra
    lineage in the load's transaction."""

    stage: Callable[..., Staged]
    fmt: str
    utf8: bool = True
    on_loaded: Callable[[duckdb.DuckDBPyConnection, str], None] | None = None


@dataclass(frozen=True)
class FileLoadResult:
    entity: str
    file_path: str  # relative to the landing folder, forward slashes
    batch_id: str
    status: str  # loaded | quarantined | duplicate | ignored
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    message: str | None
    seconds: float
    rows_suppressed: int = 0  # lines of people erased with `cxw forget` (suppression list)


@dataclass
class LoadReport:
    files: list[FileLoadResult] = field(default_factory=list)

    def _sum(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    @property
    def rows_read(self) -> int:
        return self._sum("rows_read")

    @property
    def rows_loaded(self) -> int:
        return self._sum("rows_loaded")

    @property
    def rows_quarantined(self) -> int:
        return self._sum("rows_quarantined")

    @property
    def rows_suppressed(self) -> int:
        return self._sum("rows_suppressed")

    @property
    def files_loaded(self) -> int:
        return sum(f.status == "loaded" for f in self.files)

    @property
    def files_quarantined(self) -> int:
        return sum(f.status == "quarantined" for f in self.files)

    @property
    def files_ignored(self) -> int:
        return sum(f.status == "ignored" for f in self.files)

    @property
    def files_duplicate(self) -> int:
        return sum(f.status == "duplicate" for f in self.files)

    @property
    def seconds(self) -> float:
        return sum(f.seconds for f in self.files)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def check_time_zone(con: duckdb.DuckDBPyConnection, time_zone: str) -> None:
    try:
        con.execute("select timezone(?, timestamp '2000-01-01')", [time_zone]).fetchone()
    except duckdb.Error as exc:
        raise ValueError(
            f"unknown time zone {time_zone!r}; set CXW_TZ_<SOURCE> to an IANA name such as "
            "'Europe/Rome' or 'UTC'"
        ) from exc


def _fingerprint(path: Path, fmt: str | None) -> Fingerprint:
    return fingerprint(
        path,
        text=fmt in ("csv", "jsonl", "jsonl.gz"),
        compressed=fmt == "jsonl.gz",
        blank_lines=fmt == "csv",  # JSON lines skips blank lines itself
    )


def load_entity(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    landing_dir: Path,
    *,
    time_zone: str = "UTC",
    quarantine_dir: Path | None = None,
    files: EntityFiles | None = None,
) -> list[FileLoadResult]:
    """Load the entity's new landing files (lexical order); one result per file.
    `files`: the entity folder as already listed (default: list it now)."""
    landing_dir = Path(landing_dir)
    ensure_raw_schema(con)
    check_time_zone(con, time_zone)
    paths = (files or entity_files(landing_dir, entity)).all
    return [
        load_file(con, entity, p, landing_dir, time_zone=time_zone, quarantine_dir=quarantine_dir)
        for p in paths
    ]


def load_landing(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    *,
    time_zones: dict[str, str] | None = None,
    quarantine_dir: Path | None = None,
    entities: Iterable[Entity] = ENTITIES,
    workers: int = 2,
    mappings: Iterable = (),
) -> LoadReport:
    """Load every entity's new landing files; `time_zones` maps source (crm/web/survey) to zone.

    An entity's files load one after another, in order: their load times, and so which
    delivery of a record counts as the first, follow that order. Different entities write
    different raw tables, so up to `workers` of them load side by side, each in a cursor
    of its own on the same DuckDB instance (one load alone leaves about a quarter of two
    cores idle: hashing in Python, gzip, the serial parts of the readers); the entity with
    the most bytes in the landing folder starts first. Results are in `entities` order.
    `mappings` (orchestration.loader.mapping.LoadedMapping, checked beforehand) load the
    files they cover after their entity's own landing files.
    """
    time_zones = time_zones or {}
    entities = list(entities)
    landing_dir = Path(landing_dir)
    mappings = list(mappings)
    check_landing_dir(landing_dir)
    # one walk of the landing folder: each entity's files, and the files none loads
    listing = list_landing(landing_dir, entities)

    def load(cursor: duckdb.DuckDBPyConnection, entity: Entity) -> list[FileLoadResult]:
        results = load_entity(
            cursor,
            entity,
            landing_dir,
            time_zone=time_zones.get(entity.source, "UTC"),
            quarantine_dir=quarantine_dir,
            files=listing.files[entity.name],
        )
        mine = [m for m in mappings if m.entity.name == entity.name]
        if mine:
            from .mapping import load_mapped  # the mapping module imports this one

            results += load_mapped(cursor, mine, landing_dir, quarantine_dir=quarantine_dir)
        return results

    mapped = _mapped(mappings, landing_dir)
    report = LoadReport()
    if workers <= 1 or len(entities) <= 1:
        for entity in entities:
            report.files += load(con, entity)
        report.files += log_ignored_files(con, landing_dir, listing.ignored, mapped)
        return report

    def load_in_own_cursor(entity: Entity) -> list[FileLoadResult]:
        cursor = con.cursor()
        try:
            return load(cursor, entity)
        finally:
            cursor.close()

    # before the workers: on a new warehouse, two cursors creating the same tables at once
    # would conflict (each load's own call then finds them there)
    ensure_raw_schema(con)
    if mappings:
        from .mapping import ensure_mapping_tables

        ensure_mapping_tables(con)
    largest_first = sorted(entities, key=lambda e: -_size(listing.files[e.name].loadable))
    # preserve_insertion_order is one setting for the whole instance: on for the duration,
    # so that no load switches it off under another one (see _insertion_order_preserved)
    with (
        _insertion_order_preserved(con),
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cxw-load") as pool,
    ):
        futures = {e.name: pool.submit(load_in_own_cursor, e) for e in largest_first}
    # the pool waited for every load: an error of one entity is raised once the others
    # ran to their end (each file is its own transaction)
    for entity in entities:
        report.files += futures[entity.name].result()
    report.files += log_ignored_files(con, landing_dir, listing.ignored, mapped)
    return report


class LandingFolderMissing(FileNotFoundError):
    """The landing folder does not exist: nothing can be loaded, and nothing should run."""


def check_landing_dir(landing_dir: Path) -> None:
    """Raise LandingFolderMissing (path and the variable to set) unless it is a folder."""
    if not Path(landing_dir).is_dir():
        raise LandingFolderMissing(
            f"the landing folder {landing_dir} does not exist"
            + (" (it is a file)" if Path(landing_dir).exists() else "")
            + "; set CXW_LANDING_DIR to the folder that holds crm/, web/ and survey/ "
            "(or CXW_DATA_DIR, whose landing/ it is by default), or create it"
        )


def _size(paths: Iterable[Path]) -> int:
    """Bytes of the files (one gone since it was listed counts 0: its load says so)."""
    total = 0
    for path in paths:
        with suppress(FileNotFoundError):
            total += path.stat().st_size
    return total


def _mapped(mappings: list, landing_dir: Path) -> set[Path]:
    """The files a source mapping loads (they are not ignored, wherever they are)."""
    if not mappings:
        return set()
    from .mapping import mapped_files  # the mapping module imports this one

    return {p for m in mappings for p in mapped_files(m, landing_dir)}


def log_ignored_files(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    ignored: Iterable[tuple[Path, str | None, str]],
    mapped: set[Path] = frozenset(),
) -> list[FileLoadResult]:
    """Record in raw.load_log every file under the landing folder that no entity and no
    source mapping loads (`ignored`: discovery.list_landing's; status 'ignored', the reason
    in message), once per path, size and modification time."""
    results = []
    for path, entity_name, reason in ignored:
        if path in mapped:
            continue
        rel = relative_name(path, landing_dir)
        stat = path.stat()
        known = con.execute(
            "select batch_id from raw.load_log where status = 'ignored' and file_path = ? "
            "and file_bytes = ? and file_mtime_ns = ? limit 1",
            [rel, stat.st_size, stat.st_mtime_ns],
        ).fetchone()
        if known:
            continue
        digest = hashlib.sha256()
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        batch_id = (
            "ignored-"
            + hashlib.sha256(f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()[:16]
        )
        now = _now()
        message = f"{rel}: ignored, {reason}"
        con.execute(
            "insert into raw.load_log (batch_id, entity, file_path, file_sha256, file_bytes, "
            "file_mtime_ns, status, rows_read, rows_loaded, rows_quarantined, message, "
            "started_at, finished_at) values (?, ?, ?, ?, ?, ?, 'ignored', 0, 0, 0, ?, ?, ?)",
            [
                batch_id, entity_name or "", rel, digest.hexdigest(), stat.st_size,
                stat.st_mtime_ns, message, now, now,
            ],
        )  # fmt: skip
        results.append(
            FileLoadResult(entity_name or "", rel, batch_id, "ignored", 0, 0, 0, message, 0.0)
        )
    return results


def load_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    landing_dir: Path,
    *,
    time_zone: str = "UTC",
    quarantine_dir: Path | None = None,
    reader: Reader | None = None,
) -> FileLoadResult:
    """Load one landing file (see the module docstring); `reader` stages a file in
    another shape (a source mapping, see orchestration.loader.mapping).

    Raises LoadResourceError when memory, disk or I/O fails while loading it: the file is
    then left unhandled (no raw rows, no load_log line, not quarantined) for the next run."""
    try:
        with _insertion_order_preserved(con):
            return _load_file(
                con,
                entity,
                path,
                landing_dir,
                time_zone=time_zone,
                quarantine_dir=quarantine_dir,
                reader=reader,
            )
    except Exception as exc:
        kind = resource_kind(exc)
        if kind is None or isinstance(exc, LoadResourceError):
            raise
        raise LoadResourceError(relative_name(path, landing_dir), kind, exc) from exc


@contextmanager
def _insertion_order_preserved(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Line numbers are the row order of the staging tables: keep it, whatever the
    connection says (one setting for the whole DuckDB instance, all its cursors). With
    preserve_insertion_order off, DuckDB may store a parallel read of a large file out of
    order (seen from ~300 MB under a memory_limit): every line number in raw and in the
    quarantine was then wrong."""
    (before,) = con.execute("select current_setting('preserve_insertion_order')").fetchone()
    con.execute("set preserve_insertion_order = true")
    try:
        yield
    finally:
        con.execute(f"set preserve_insertion_order = {'true' if before else 'false'}")


def _load_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    landing_dir: Path,
    *,
    time_zone: str,
    quarantine_dir: Path | None,
    reader: Reader | None = None,
) -> FileLoadResult:
    """One file's load, step by step (see _FileLoad)."""
    load = _FileLoad(con, entity, path, relative_name(path, landing_dir), quarantine_dir, reader)
    skipped = load.skip_if_handled()
    if skipped is not None:
        return skipped
    try:
        staged = load.stage()
        load.validate(staged, time_zone)
    except FileRejected as exc:
        return load.quarantine_whole(exc)
    return load.commit(staged)


class _FileLoad:
    """The load of one landing file, in its steps:

    1. skip_if_handled: the same path, size and modification time, or the same content,
       was handled before (a duplicate: nothing loaded);
    2. stage: read the file with DuckDB into the staging view (FileRejected when it cannot
       be read at all);
    3. validate: type and check every record in SQL into the CHECKED table;
    4. commit: in one transaction, the good records to raw.<entity>, the bad ones to
       raw.quarantine, a row to raw.load_log;
    or quarantine_whole: a file rejected in 2 or 3 is quarantined whole (one raw.quarantine
    row, load_log status 'quarantined', a copy in `quarantine_dir`).
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        entity: Entity,
        path: Path,
        rel: str,
        quarantine_dir: Path | None,
        reader: Reader | None,
    ) -> None:
        self.con, self.entity, self.path, self.rel = con, entity, path, rel
        self.quarantine_dir, self.reader = quarantine_dir, reader
        self.started = time.perf_counter()
        self.started_at = _now()
        self.batch_id: str | None = None  # set once known
        self.fp: Fingerprint | None = None
        ensure_raw_schema(con)
        _drop_temp(con)
        # before hashing: a file changed while hashed is hashed again next run
        self.stat = path.stat()

    def result(
        self, status: str, read=0, loaded=0, quarantined=0, message=None, suppressed=0
    ) -> FileLoadResult:
        return FileLoadResult(
            self.entity.name, self.rel, self.batch_id, status, read, loaded, quarantined,
            message, round(time.perf_counter() - self.started, 3), suppressed,
        )  # fmt: skip

    def log(self, status: str, read=0, loaded=0, quarantined=0, message=None, suppressed=0) -> None:
        self.con.execute(
            "insert into raw.load_log (batch_id, entity, file_path, file_sha256, file_bytes, "
            "file_mtime_ns, status, rows_read, rows_loaded, rows_quarantined, message, "
            "started_at, finished_at, rows_suppressed) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                self.batch_id, self.entity.name, self.rel, self.fp.sha256, self.fp.size,
                self.stat.st_mtime_ns, status, read, loaded, quarantined, message,
                self.started_at, _now(), suppressed,
            ],
        )  # fmt: skip

    @property
    def fmt(self) -> str | None:
        """The file's text format for the fingerprint and the reader; None: not accepted."""
        if self.reader is not None:
            return self.reader.fmt
        accepted = self.path.name.lower().endswith(self.entity.formats)
        return file_format(self.path) if accepted else None

    def skip_if_handled(self) -> FileLoadResult | None:
        """A 'duplicate' result when the file was handled before, else None (the file is
        hashed, and batch_id set, on the way)."""
        con, entity, rel = self.con, self.entity, self.rel
        known = con.execute(
            "select batch_id from raw.load_log where entity = ? and file_path = ? "
            "and file_bytes = ? and file_mtime_ns = ? order by started_at limit 1",
            [entity.name, rel, self.stat.st_size, self.stat.st_mtime_ns],
        ).fetchone()
        if known:
            self.batch_id = known[0]
            return self.result(
                "duplicate",
                message=f"already processed as batch {self.batch_id} (same path, size and "
                "modification time)",
            )
        self.fp = _fingerprint(self.path, self.fmt)
        self.batch_id = f"{entity.name}-{self.fp.sha256[:16]}"
        seen = con.execute(
            "select batch_id, file_path, status from raw.load_log "
            "where entity = ? and file_sha256 = ? order by started_at",
            [entity.name, self.fp.sha256],
        ).fetchall()
        same_path = [s for s in seen if s[1] == rel]
        if same_path:
            # this very file was handled before: nothing to do (re-runs are no-ops); it was
            # touched since, so its new modification time is recorded for the quick check
            self.batch_id = same_path[0][0]
            con.execute(
                "update raw.load_log set file_mtime_ns = ? where batch_id = ?",
                [self.stat.st_mtime_ns, self.batch_id],
            )
            return self.result("duplicate", message=f"already processed as batch {self.batch_id}")
        if seen:
            self.batch_id = f"{self.batch_id}-{hashlib.sha256(rel.encode()).hexdigest()[:8]}"
        loaded_before = [s for s in seen if s[2] == "loaded"]
        if loaded_before:
            message = (
                f"same content as {loaded_before[0][1]} (batch {loaded_before[0][0]}), "
                "already loaded; not loaded again"
            )
            self.log("duplicate", message=message)
            return self.result("duplicate", message=message)
        return None

    def stage(self) -> Staged:
        """The file read into the staging view; FileRejected when it cannot be read."""
        fmt, fp, entity, reader = self.fmt, self.fp, self.entity, self.reader
        if fmt is None:
            raise FileRejected(
                "unreadable",
                f"{self.path.name} is not in an accepted format for {entity.folder} "
                f"({', '.join(entity.formats)}); convert it and land it again",
            )
        if fp.gzip_error:
            raise FileRejected("unreadable", f"the gzip file is damaged ({fp.gzip_error})")
        if fp.utf8_error and (reader is None or reader.utf8):
            seen = diagnosis(self.path, entity) if fmt == "csv" and reader is None else ""
            raise FileRejected(
                "not_utf8",
                f"{fp.utf8_error}; export the file again with UTF-8 encoding{seen}",
            )
        return (reader.stage if reader else READERS[fmt])(self.con, self.path, fp, entity)

    def validate(self, staged: Staged, time_zone: str) -> None:
        """Every staged record typed and checked (validation.checked_select) into CHECKED."""
        try:
            self.con.execute(
                f"create or replace temp table {CHECKED} as "
                + checked_select(self.entity, time_zone, STAGED, self.rel, staged.text_sql)
            )
        except duckdb.Error as exc:
            # only a source mapping's own SQL can fail here (a cast that does not hold on
            # this file): the file is quarantined whole, with the mapping's error; a lack of
            # memory, disk or I/O is not the file's fault (see load_file)
            if self.reader is None or resource_kind(exc) is not None:
                raise
            raise FileRejected(
                "unreadable",
                f"the source mapping cannot be applied to this file "
                f"({str(exc).strip().splitlines()[0]}); correct the mapping (use try_cast "
                "for values that may not convert) and run again",
            ) from exc

    def quarantine_whole(self, exc: FileRejected) -> FileLoadResult:
        message = f"{self.rel}: {exc.message}"
        copied = _copy_to_quarantine(self.path, self.batch_id, self.quarantine_dir)
        if copied:
            message += f" (a copy is in {copied})"
        with self._transaction():
            self.con.execute(
                "insert into raw.quarantine values (?, ?, ?, null, ?, ?, null, ?)",
                [self.batch_id, self.entity.name, self.rel, exc.code, message, self.started_at],
            )
            self.log("quarantined", message=message)
        return self.result("quarantined", message=message)

    def commit(self, staged: Staged) -> FileLoadResult:
        """The checked records into raw and the quarantine, and the load_log row, at once."""
        con, entity, rel, batch_id = self.con, self.entity, self.rel, self.batch_id
        lines = staged.lines_table
        read, bad = _line_counts(con, lines)
        suppressed = self.suppress(lines, read)
        if suppressed:
            bad = _line_counts(con, lines)[1]
        columns = ", ".join(entity.column_names)
        typed = ", ".join(f"t_{c}" for c in entity.column_names)
        loaded_at = _now()
        with self._transaction():
            con.execute(
                f"insert into raw.{entity.name} ({columns}, _file, _line, _batch_id, _loaded_at) "
                f"select {typed}, ?, __line, ?, ? from {CHECKED} where __code is null "
                "order by __line",
                [rel, batch_id, loaded_at],
            )
            failpoint("loader.inside_file")
            if lines is None:
                con.execute(
                    "insert into raw.quarantine select ?, ?, ?, __line, __code, __reason, "
                    f"__text, ? from {CHECKED} where __code is not null order by __line",
                    [batch_id, entity.name, rel, loaded_at],
                )
            else:
                con.execute(
                    "insert into raw.quarantine select ?, ?, ?, l.__line, c.__code, "
                    "c.__reason || case when count(*) over (partition by l.__first_line) > 1 "
                    "then ' (line ' || l.__line || ' is one of the ' || count(*) over "
                    "(partition by l.__first_line) || ' lines of that record)' else '' end, "
                    f"l.__text, ? from {lines} l join {CHECKED} c on c.__line = l.__first_line "
                    "where c.__code is not null order by l.__line",
                    [batch_id, entity.name, rel, loaded_at],
                )
            if self.reader is not None and self.reader.on_loaded is not None:
                self.reader.on_loaded(con, batch_id)
            message = f"{bad} bad record(s) quarantined, see raw.quarantine" if bad else None
            if suppressed:
                message = (f"{message}; " if message else "") + (
                    f"{suppressed} line(s) of erased people suppressed (cxw forget)"
                )
            self.log("loaded", read, read - bad - suppressed, bad, message, suppressed)
        failpoint("loader.between_files")
        return self.result("loaded", read, read - bad - suppressed, bad, message, suppressed)

    def suppress(self, lines: str | None, read: int) -> int:
        """Drop the records of people erased with `cxw forget` from the CHECKED table
        (orchestration/loader/suppression.py); returns how many lines they had."""
        if not suppress_rows(self.con, self.entity.name, CHECKED):
            return 0
        return read - _line_counts(self.con, lines)[0]

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction, rolled back on any error; the temporary tables dropped after."""
        self.con.execute("begin transaction")
        try:
            yield
            self.con.execute("commit")
        except BaseException:
            self.con.execute("rollback")
            raise
        finally:
            _drop_temp(self.con)


def _line_counts(con: duckdb.DuckDBPyConnection, lines: str | None) -> tuple[int, int]:
    """(lines read, lines of bad records) of the CHECKED table."""
    if lines is None:
        return con.execute(f"select count(*), count(__code) from {CHECKED}").fetchone()
    # records collapsed from several lines: every line is accounted for, loaded or
    # quarantined with its record
    return con.execute(
        f"select count(*), count(c.__code) from {lines} l "
        f"join {CHECKED} c on c.__line = l.__first_line"
    ).fetchone()


def _copy_to_quarantine(path: Path, batch_id: str, quarantine_dir: Path | None) -> Path | None:
    if quarantine_dir is None:
        return None
    target = Path(quarantine_dir) / batch_id / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    copy_without_suppressed(path, target)  # shutil.copy2 unless someone was erased
    return target


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the loader's temporary tables and views (names start with __cxw_)."""
    views = con.execute(
        "select view_name from duckdb_views() where temporary and starts_with(view_name, '__cxw_')"
    ).fetchall()
    for (name,) in views:
        con.execute(f"drop view if exists {name}")
    tables = con.execute(
        "select table_name from duckdb_tables() "
        "where temporary and starts_with(table_name, '__cxw_')"
    ).fetchall()
    for (name,) in tables:
        con.execute(f"drop table if exists {name}")


def nothing_to_load(landing_dir: Path, warehouse_path: Path) -> bool:
    """True on a new install before its first extract: no entity has a file in the
    landing folder (hidden and stray files aside) and the warehouse never loaded one.
    A warehouse that loaded files before runs as usual (its releases stay current)."""
    landing_dir = Path(landing_dir)
    if any(entity_files(landing_dir, entity).all for entity in ENTITIES):
        return False
    if not Path(warehouse_path).exists():
        return True
    try:
        con = duckdb.connect(str(warehouse_path), read_only=True)
    except duckdb.Error:
        return False  # in use by a run: let the pipeline decide
    try:
        (handled,) = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'raw' "
            "and table_name = 'load_log'"
        ).fetchone()
        if not handled:
            return True
        (handled,) = con.execute(
            "select count(*) from raw.load_log where status <> 'ignored'"
        ).fetchone()
        return handled == 0
    finally:
        con.close()
