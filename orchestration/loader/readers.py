"""Read one landing file into a temporary staging table with DuckDB's own readers.

A reader leaves a table `__cxw_staged` with, per record: `__line` (the physical line where
the record starts, or row number + 1 for Parquet), `__malformed` (why the record could not
be parsed, else NULL) and `v_<column>` (the raw text of every contract column, NULL when
the column is absent). It returns a `Staged` naming the SQL that rebuilds a record's
original text. A file that cannot be read at all raises `FileRejected`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .contract import Entity
from .diagnosis import diagnosis
from .errors import is_resource_error
from .fingerprint import Fingerprint
from .validation import ident, sql_str

STAGED = "__cxw_staged"
MIB = 1024 * 1024
# The longest line (CSV: record) DuckDB is asked to hold, in bytes: a file is read with the
# first size, and read again with the next only when one of its lines is longer. DuckDB
# keeps a read buffer per thread (for a .gz file, whose size it cannot know, always a whole
# buffer), and left to itself takes buffer_size = 16 x max_line_size: a 64 MiB limit asked
# for 1 GiB buffers, and a small memory_limit failed on every .gz file.
LINE_SIZES = (2 * MIB, 64 * MIB)
MAX_LINE_SIZE = LINE_SIZES[-1]
LINE_DELIMITER = "\x1e"  # ASCII record separator: never valid unescaped inside JSON


class FileRejected(Exception):
    """The whole file is quarantined: `code` is a contract FILE_REASONS code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@contextmanager
def rejected_unless_resource(message: str) -> Iterator[None]:
    """A DuckDB error inside is the file's fault: FileRejected("unreadable", `message` with
    `{error}` the error's first line). A lack of memory, disk or I/O is not (errors.py): it
    is raised as it is, and the file stays unhandled for the next run."""
    try:
        yield
    except duckdb.Error as exc:
        if is_resource_error(exc):
            raise
        first = str(exc).strip().splitlines()[0]
        raise FileRejected("unreadable", message.format(error=first)) from exc


@dataclass(frozen=True)
class Staged:
    text_sql: str  # SQL (over the staged table) of a record's original text
    # Source mappings that collapse lines (group by): a table of (__first_line, __line,
    # __text), one row per source line, __first_line naming the staged record it went into.
    lines_table: str | None = None


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV export that is not in the contract's shape is read (source mappings)."""

    delimiter: str = ","
    quote: str = '"'
    escape: str = '"'
    encoding: str = "utf-8"
    skip_rows: int = 0  # lines before the header row


def _missing(entity: Entity, present: set[str], where: str, found: list[str]) -> None:
    missing = [c for c in entity.required_columns if c not in present]
    if missing:
        raise FileRejected(
            "missing_column",
            f"required column(s) {', '.join(missing)} missing from the {where} "
            f"(found: {', '.join(found) or 'nothing'}); add them to the extract and land "
            "the file again (names are case-insensitive)",
        )


def _line_options(max_line_size: int) -> str:
    """read_csv's line and buffer sizes: the buffer holds a line twice over, and at least
    DuckDB's default 16 MiB (a smaller one only slows the read down)."""
    return f"max_line_size={max_line_size}, buffer_size={max(16 * MIB, 2 * max_line_size)}"


def _read_lines(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, encoding: str = "utf-8"
) -> None:
    """Every physical line of a text file, in order (rowid = line number - 1)."""
    compression = ", compression='gzip'" if path.name.lower().endswith(".gz") else ""
    if encoding.lower().replace("-", "") != "utf8":
        compression += f", encoding={sql_str(encoding)}"
    for max_line_size in LINE_SIZES:
        try:
            con.execute(
                f"create or replace temp table {table} as select line from read_csv(?, "
                f"header=false, columns={{'line': 'VARCHAR'}}, "
                f"delim={sql_str(LINE_DELIMITER)}, quote='', escape='', auto_detect=false, "
                f"strict_mode=false, {_line_options(max_line_size)}{compression})",
                [str(path)],
            )
            return
        except duckdb.InvalidInputException as exc:
            if "maximum line size" not in str(exc).lower() or max_line_size == MAX_LINE_SIZE:
                raise


# --------------------------------------------------------------------------- CSV


def _csv_header(path: Path, dialect: CsvDialect | None = None) -> list[str]:
    dialect = dialect or CsvDialect()
    encoding = "utf-8-sig" if dialect.encoding.lower().replace("-", "") == "utf8" else None
    try:
        with path.open("r", encoding=encoding or dialect.encoding, newline="") as f:
            for _ in range(dialect.skip_rows):
                f.readline()
            return next(
                csv.reader(
                    io.StringIO(f.readline()),
                    delimiter=dialect.delimiter,
                    quotechar=dialect.quote or None,
                    quoting=csv.QUOTE_MINIMAL if dialect.quote else csv.QUOTE_NONE,
                ),
                [],
            )
    except (csv.Error, UnicodeDecodeError, LookupError) as exc:
        raise FileRejected("unreadable", f"the header row cannot be read: {exc}") from exc


def _csv_quote(expr: str, delimiter: str = ",") -> str:
    special = '["' + delimiter.replace("\\", "\\\\").replace("]", "\\]") + "\\r\\n]"
    return (
        f"case when {expr} is null then '' when regexp_matches({expr}, {sql_str(special)}) "
        f"then '\"' || replace({expr}, '\"', '\"\"') || '\"' else {expr} end"
    )


def _rejects_message(error_type: str) -> str:
    return (
        "case "
        f"when {error_type} in ('TOO MANY COLUMNS', 'MISSING COLUMNS') then "
        "'the record does not have as many fields as the header (' || error_message || '); "
        "check its delimiters and quoting'"
        f" when {error_type} = 'UNQUOTED VALUE' then 'a quoted field is not closed properly ("
        "' || error_message || '); double every \" inside a quoted field'"
        " else error_message end"
    )


def stage_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    fp: Fingerprint,
    entity: Entity,
    *,
    dialect: CsvDialect | None = None,
    view: str = STAGED,
) -> Staged:
    """Stage a CSV file as `view`. With a `dialect` (a source mapping's file), the file is
    read with that delimiter, quote, encoding and leading lines, and no contract column is
    required (the mapping says which source columns it needs)."""
    if fp.is_blank:
        raise FileRejected("unreadable", "the file is empty; land a CSV file with a header row")
    mapped = dialect is not None
    dialect = dialect or CsvDialect()
    header = _csv_header(path, dialect)
    names = [h.strip().lower() for h in header]
    if not mapped:
        try:
            _missing(entity, set(names), "header row", header)
        except FileRejected as exc:
            exc.message += diagnosis(path, entity)
            raise
    columns = [f"c{i}" for i in range(len(header))]
    spec = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
    options = (
        f"delim={sql_str(dialect.delimiter)}, quote={sql_str(dialect.quote)}, "
        f"escape={sql_str(dialect.escape)}"
    )
    if dialect.skip_rows:
        options += f", skip={int(dialect.skip_rows)}"
    if dialect.encoding.lower().replace("-", "") != "utf8":
        options += f", encoding={sql_str(dialect.encoding)}"
    for max_line_size in LINE_SIZES:
        for table in ("__cxw_rejects", "__cxw_reject_scans"):
            con.execute(f"drop table if exists {table}")
        with rejected_unless_resource(
            "the file is not valid CSV ({error}); export it again as CSV"
        ):
            con.execute(
                "create or replace temp table __cxw_csv as select * from read_csv(?, "
                f"header=true, auto_detect=false, {options}, "
                f"columns={{{spec}}}, store_rejects=true, rejects_table='__cxw_rejects', "
                f"rejects_scan='__cxw_reject_scans', {_line_options(max_line_size)})",
                [str(path)],
            )
        (too_long,) = con.execute(
            "select count(*) from __cxw_rejects where error_type = 'LINE SIZE OVER MAXIMUM'"
        ).fetchone()
        if not too_long:
            break
    # Records DuckDB could not parse, by their logical line (records + blank lines). A line
    # can have more than one reject, which DuckDB returns in no set order: their messages
    # are sorted, so the quarantine's reason is the same on every run (it was not: seen at
    # 1 M customers, where ~1 k reasons listed the same two messages the other way round).
    message = _rejects_message("error_type::varchar")
    con.execute(
        "create or replace temp table __cxw_rej as select line as L, "
        f"string_agg(distinct {message}, '; ' order by {message}) as msg, "
        "trim(first(csv_line), chr(13) || chr(10)) as text "
        "from __cxw_rejects group by line"
    )
    blanks = "select null::bigint as L where false"
    if fp.has_blank_lines:
        # Empty lines outside quoted fields: they take a logical line number, not a record.
        _read_lines(con, path, "__cxw_lines", dialect.encoding)
        con.execute(
            "create or replace temp table __cxw_blank as "
            "select sum(is_start::int) over (order by n) as L, is_start, line "
            "from (select rowid as n, line, coalesce(sum(length(line) - length(replace(line, "
            "'\"', ''))) over (order by rowid rows between unbounded preceding and 1 preceding)"
            ", 0) % 2 = 0 as is_start from __cxw_lines)"
        )
        blanks = (
            "select L from __cxw_blank where is_start and coalesce(trim(line, chr(13)), '') = ''"
        )
    n_good = con.execute("select count(*) from __cxw_csv").fetchone()[0]
    n_other = con.execute(
        f"select count(*) from (select L from __cxw_rej union select L from ({blanks}))"
    ).fetchone()[0]
    first = 2 + int(dialect.skip_rows)  # the line of the first record
    if n_other == 0:
        slots = f"select rowid + {first} as L, rowid as __rid from __cxw_csv"
    else:
        slots = (
            f"select L, row_number() over (order by L) - 1 as __rid "
            f"from range({first}, {first + n_good + n_other}) t(L) "
            f"where L not in (select L from __cxw_rej union select L from ({blanks}))"
        )
    concat = "concat(" + ", ".join(columns) + ")" if columns else "''"
    v_cols = ", ".join(
        (f"c{names.index(c.name)}" if c.name in names else "null::varchar") + f" as v_{c.name}"
        for c in entity.columns
    )
    null_cs = ", ".join(f"null::varchar as {c}" for c in columns)
    con.execute(
        f"""
create or replace temp view {view} as
with slots as ({slots}),
good as (
    select
        s.L,
        length({concat}) - length(replace({concat}, chr(10), '')) as __nl,
        null::varchar as __malformed,
        null::varchar as __rawtext,
        c.*
    from (select rowid as __rid, * from __cxw_csv) c
    join slots s using (__rid)
),
bad as (
    select
        L,
        length(text) - length(replace(text, chr(10), '')) as __nl,
        msg as __malformed,
        text as __rawtext,
        null::bigint as __rid,
        {null_cs}
    from __cxw_rej
),
records as (
    select * from good union all by name select * from bad
)
select
    L + coalesce(sum(__nl) over (order by L rows between unbounded preceding and 1 preceding), 0)
        as __line,
    __malformed,
    __rawtext,
    {v_cols},
    {", ".join(columns)}
from records
"""
    )
    text = (
        f"concat_ws({sql_str(dialect.delimiter)}, "
        + ", ".join(_csv_quote(c, dialect.delimiter) for c in columns)
        + ")"
    )
    return Staged(text_sql=f"coalesce(__rawtext, {text})")


# --------------------------------------------------------------------------- JSON lines


def stage_jsonl(
    con: duckdb.DuckDBPyConnection, path: Path, fp: Fingerprint, entity: Entity
) -> Staged:
    if fp.is_blank:
        raise FileRejected(
            "unreadable", "the file is empty; land a file with one JSON object per line"
        )
    with rejected_unless_resource("the file cannot be read as text lines ({error})"):
        _read_lines(con, path, "__cxw_lines")
    con.execute(
        "create or replace temp table __cxw_json as select *, json_valid(__text) as __valid, "
        "case when json_valid(__text) then json_type(__text) end as __type from ("
        "select rowid + 1 as __line, "
        "case when rowid = 0 then ltrim(line, chr(65279)) else line end as __text "
        "from __cxw_lines where regexp_matches(line, '[^\\s\ufeff]'))"
    )
    objects, keys = con.execute(
        "select count(*), (select list(distinct k) from (select unnest(json_keys(__text)) as k "
        "from __cxw_json where __type = 'OBJECT')) from __cxw_json where __type = 'OBJECT'"
    ).fetchone()
    if objects == 0:
        raise FileRejected(
            "unreadable",
            "no line of the file is a JSON object: it is not JSON lines; export it again "
            "with one JSON object per line",
        )
    keys = keys or []
    present = {k.lower() for k in keys}
    _missing(entity, present, "JSON objects (no line has it)", sorted(keys))
    struct = json.dumps({c.name: "JSON" if c.type == "json" else "VARCHAR" for c in entity.columns})
    v_cols = []
    for c in entity.columns:
        variants = [f"__j.{ident(c.name)}::varchar"]
        variants += [
            f"json_extract{'' if c.type == 'json' else '_string'}(__obj, "
            f"{sql_str('$.' + ident(k))})::varchar"
            for k in sorted(keys)
            if k.lower() == c.name and k != c.name
        ]
        expr = variants[0] if len(variants) == 1 else f"coalesce({', '.join(variants)})"
        v_cols.append(f"{expr} as v_{c.name}")
    con.execute(
        f"""
create or replace temp view {STAGED} as
select
    __line,
    __text,
    case
        when not __valid then 'the line is not valid JSON; write one JSON object per line'
        when __type <> 'OBJECT' then 'the line is a JSON ' || lower(__type)
            || ', not an object; write one JSON object per line'
    end as __malformed,
    {", ".join(v_cols)}
from (
    select
        *,
        from_json(__obj, {sql_str(struct)}) as __j
    from (
        select *, case when __type = 'OBJECT' then __text else '{{}}' end as __obj
        from __cxw_json
    )
)
"""
    )
    return Staged(text_sql="__text")


# --------------------------------------------------------------------------- Parquet


def stage_parquet(
    con: duckdb.DuckDBPyConnection, path: Path, fp: Fingerprint, entity: Entity
) -> Staged:
    if fp.size == 0:
        raise FileRejected("unreadable", "the file is empty; land a valid Parquet file")
    with rejected_unless_resource("the file is not valid Parquet ({error}); export it again"):
        described = con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
    types = {name: type_ for name, type_, *_ in described}
    by_lower: dict[str, str] = {}
    for name in types:
        by_lower.setdefault(name.strip().lower(), name)
    _missing(entity, set(by_lower), "Parquet schema", list(types))

    def as_text(name: str) -> str:
        type_ = types[name].upper()
        col = ident(name)
        if type_.startswith("TIMESTAMP WITH TIME ZONE"):
            return f"strftime(timezone('UTC', {col}), '%Y-%m-%dT%H:%M:%S.%fZ')"
        if type_.startswith(("STRUCT", "MAP")) or type_.endswith("]") or type_ == "JSON":
            return f"to_json({col})::varchar"
        if type_ in ("DOUBLE", "FLOAT", "REAL"):
            # the shortest text that reads back as the same float (29.849999999999998);
            # NaN is how pandas writes a missing value in a float column
            return f"case when not isnan({col}) then {col}::varchar end"
        return f"{col}::varchar"

    v_cols = ", ".join(
        (as_text(by_lower[c.name]) if c.name in by_lower else "null::varchar") + f" as v_{c.name}"
        for c in entity.columns
    )
    pack = ", ".join(f"{sql_str(n)}: {ident(n)}" for n in types)
    with rejected_unless_resource("the Parquet file cannot be read ({error}); export it again"):
        con.execute(
            f"create or replace temp table {STAGED} as select file_row_number + 1 as __line, "
            f"null::varchar as __malformed, to_json({{{pack}}})::varchar as __text, {v_cols} "
            "from read_parquet(?, file_row_number=true)",
            [str(path)],
        )
    return Staged(text_sql="__text")
