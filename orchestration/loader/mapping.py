"""Source mappings: extracts in their own shape, mapped onto the landing contract in SQL.

A source mapping is a small YAML file (see `Mapping` and README "Bring your own exports")
saying which files under the landing folder it covers, how to read them, which contract
entity they feed and how every contract column is computed from the source columns:

    entity: crm/orders
    files: "*.csv"
    read: {delimiter: ",", timestamp_format: "%Y-%m-%d %H:%M:%S", time_zone: Europe/London}
    group_by: [InvoiceNo]                 # line-level exports: one record per group
    columns:
      order_id: InvoiceNo                 # a source column ...
      amount: sum(src_number(Quantity) * src_number(UnitPrice))   # ... or DuckDB SQL
    values:
      status: {placed: placed}            # value words -> contract values (or null)

Applying it (`stage_mapped`) builds, with DuckDB's readers and SQL only, the same staged
view the contract's own readers build (`v_<column>` text, `__line`, `__malformed`), so the
loader's checks, quarantine, lineage and load-once rules apply unchanged. Lines that
collapse into one record (group_by) are accounted for one by one: a bad record quarantines
each of its lines with its original text, and raw.mapped_records keeps the first line and
the count of every loaded record. Mistakes in a mapping (an unknown key, column or entity,
an expression DuckDB cannot bind) raise `MappingError` naming the mapping file, the key,
its line and what to do, before anything is loaded (`check_mappings`).

Names an expression can use: the source columns (header names, any case; top-level keys of
JSON lines), `_line` (the record's first physical line) and `_file` (its path relative to
the landing folder); with `expand`, the element (`item`, or the name in `expand.as`) and
`item_position` (1-based); and the macros `src_number(text)` (a number written with the
mapping's decimal and thousands separators, as decimal(38,9), NULL when it does not parse),
`src_sum(number)` (with group_by: the sum over the record's lines, or, when a line has no
readable number, a text that quarantines the record as bad_number rather than summing fewer
lines) and `src_timestamp(text)` (a timestamp in `read.timestamp_format`, naive, in
`read.time_zone`, NULL when it does not parse).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, Literal

import duckdb
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .contract import BOOLEAN, DECIMAL, ENTITIES, INTEGER, JSON, TIMESTAMP, Entity
from .discovery import relative_name
from .errors import resource_kind
from .fingerprint import Fingerprint
from .load import CHECKED, FileLoadResult, Reader, load_file
from .readers import (
    STAGED,
    CsvDialect,
    FileRejected,
    Staged,
    _csv_header,
    _read_lines,
    rejected_unless_resource,
    stage_csv,
)
from .validation import ident, sql_str

MAPPED_LINES = "__cxw_mapped_lines"
ISO_UTC = "%Y-%m-%dT%H:%M:%S.%f"

MAPPED_FILES_DDL = """
create table if not exists raw.mapped_files (
    batch_id varchar not null,          -- raw.load_log batch of the file
    entity varchar not null,
    file_path varchar not null,         -- relative to the landing folder
    mapping_file varchar not null,      -- the source mapping applied (path as given)
    mapping_sha256 varchar not null,    -- its content, to tell which version was applied
    source varchar                      -- the mapping's `source` name
)
"""
MAPPED_RECORDS_DDL = """
create table if not exists raw.mapped_records (
    batch_id varchar not null,
    entity varchar not null,
    line bigint not null,               -- first line of the record (= the raw row's _line)
    line_count bigint not null          -- how many source lines collapsed into it
)
"""


class MappingError(ValueError):
    """A source mapping cannot be used: the message names the file, the key, its line and
    what to do."""


# --------------------------------------------------------------------------- the schema


def _entity(value: str) -> Entity | None:
    wanted = value.strip().lower().replace("-", "_")
    for entity in ENTITIES:
        short = entity.folder.split("/")[-1]
        if wanted in (entity.name, entity.folder, short, entity.folder.replace("/", "_")):
            return entity
    return None


class ReadOptions(BaseModel):
    """How the files are read (defaults: the landing contract's own CSV)."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["csv", "jsonl"] = "csv"
    delimiter: str = ","
    quote: str = '"'
    escape: str | None = None  # default: the quote character (RFC 4180 doubling)
    encoding: str = "utf-8"
    skip_rows: int = Field(0, ge=0)  # lines before the header row
    decimal_separator: Literal[".", ","] = "."
    thousands_separator: str | None = None
    null_values: list[str] = Field(default_factory=list)
    timestamp_format: str | list[str] | None = None
    time_zone: str = "UTC"

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if len(value) != 1:
            raise ValueError('must be exactly one character (write a tab as "\\t")')
        return value

    @property
    def timestamp_formats(self) -> list[str]:
        if self.timestamp_format is None:
            return []
        if isinstance(self.timestamp_format, str):
            return [self.timestamp_format]
        return list(self.timestamp_format)


class Expand(BaseModel):
    """One source record becomes several: the elements of a list (`unnest`, a SQL
    expression of a list or a JSON array) or some columns turned into rows (`unpivot`:
    each element is {column: <name>, value: <text>})."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    unnest: str | None = None
    unpivot: list[str] | None = None
    as_: str = Field("item", alias="as")


class Mapping(BaseModel):
    """One source mapping file (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    source: str | None = None
    entity: str
    files: str | list[str]
    read: ReadOptions = Field(default_factory=ReadOptions)
    expand: Expand | None = None
    group_by: list[str] | None = None
    columns: dict[str, str]
    values: dict[str, dict[str, Any]] = Field(default_factory=dict)
    definitions: dict[str, str] = Field(default_factory=dict)
    attribution: str | None = None
    documentation: str | None = None

    @property
    def patterns(self) -> list[str]:
        return [self.files] if isinstance(self.files, str) else list(self.files)


@dataclass(frozen=True)
class LoadedMapping:
    """A validated mapping and where it came from."""

    path: Path
    spec: Mapping
    entity: Entity
    sha256: str
    lines: dict[tuple[str, ...], int]  # key path -> line in the YAML file

    def line_of(self, *key: str) -> int | None:
        for n in range(len(key), 0, -1):
            if key[:n] in self.lines:
                return self.lines[key[:n]]
        return None

    def error(self, key: tuple[str, ...], what: str, todo: str) -> MappingError:
        return _error(self.path, key, self.line_of(*key), what, todo)


def _error(path: Path, key: tuple, line: int | None, what: str, todo: str) -> MappingError:
    where = f"key {'.'.join(str(k) for k in key)}" if key else "the file"
    if line:
        where += f" (line {line})"
    return MappingError(f"source mapping {path}: {where}: {what}; {todo}")


def _key_lines(node: yaml.Node, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple, int]]:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = (*prefix, str(key_node.value))
            yield key, key_node.start_mark.line + 1
            yield from _key_lines(value_node, key)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            key = (*prefix, str(i))
            yield key, item.start_mark.line + 1
            yield from _key_lines(item, key)


def load_mapping(path: Path | str) -> LoadedMapping:
    """Read and validate one mapping file (structure and names, not yet the SQL: see
    `check_mappings`). Raises MappingError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _error(path, (), None, f"cannot be read ({exc})", "check the path") from exc
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _error(
            path,
            (),
            mark.line + 1 if mark else None,
            f"is not valid YAML ({getattr(exc, 'problem', exc)})",
            "fix the YAML syntax (indentation, quotes around values with ':' or '#')",
        ) from exc
    lines = dict(_key_lines(node)) if node is not None else {}
    if not isinstance(data, dict):
        raise _error(path, (), 1, "is not a YAML mapping of keys", "start from a preset")
    try:
        spec = Mapping.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = tuple(str(k) for k in first["loc"])
        line = None
        for n in range(len(key), 0, -1):
            if key[:n] in lines:
                line = lines[key[:n]]
                break
        todo = {
            "extra_forbidden": "remove it or correct its spelling (see a preset for the keys)",
            "missing": "add it",
        }.get(first["type"], "correct the value")
        what = (
            "is not a known key"
            if first["type"] == "extra_forbidden"
            else first["msg"].removeprefix("Value error, ")
        )
        raise _error(path, key, line, what, todo) from exc
    sha = hashlib.sha256(text.encode()).hexdigest()
    entity = _entity(spec.entity)
    loaded = LoadedMapping(path, spec, entity, sha, lines)  # type: ignore[arg-type]
    if entity is None:
        raise loaded.error(
            ("entity",),
            f"{spec.entity!r} is not a landing-contract entity",
            "use one of " + ", ".join(e.folder for e in ENTITIES),
        )
    _check_names(loaded)
    return loaded


def _check_names(m: LoadedMapping) -> None:
    entity, spec = m.entity, m.spec
    names = entity.column_names
    for column in spec.columns:
        if column not in names:
            raise m.error(
                ("columns", column),
                f"{column!r} is not a column of {entity.folder}",
                f"map only its columns: {', '.join(names)}",
            )
        if not str(spec.columns[column]).strip():
            raise m.error(("columns", column), "is empty", "write a source column or SQL")
    missing = [c for c in entity.required_columns if c not in spec.columns]
    if missing:
        raise m.error(
            ("columns",),
            f"the required column(s) {', '.join(missing)} of {entity.folder} are not mapped",
            "map each to a source column or a SQL expression",
        )
    for column in spec.values:
        if column not in spec.columns:
            raise m.error(
                ("values", column),
                f"{column!r} is not a mapped column",
                "map it under `columns` first, or remove these value words",
            )
    if spec.expand is not None and (spec.expand.unnest is None) == (spec.expand.unpivot is None):
        raise m.error(("expand",), "needs exactly one of unnest or unpivot", "keep one of them")
    if spec.expand is not None and spec.group_by:
        raise m.error(
            ("group_by",),
            "cannot be combined with expand in one mapping",
            "collapse or expand, not both",
        )
    for zone in [spec.read.time_zone]:
        try:
            duckdb.sql(f"select timezone({sql_str(zone)}, timestamp '2000-01-01')").fetchall()
        except duckdb.Error as exc:
            raise m.error(
                ("read", "time_zone"),
                f"{zone!r} is not a time zone",
                "use an IANA name such as Europe/Rome, America/New_York or UTC",
            ) from exc
    for fmt in spec.read.timestamp_formats:
        try:
            duckdb.sql(f"select try_strptime('2000', {sql_str(fmt)})").fetchall()
        except duckdb.Error as exc:
            raise m.error(
                ("read", "timestamp_format"),
                f"{fmt!r} is not a strptime format ({str(exc).splitlines()[0]})",
                "use DuckDB's strptime codes, e.g. %d/%m/%Y %H:%M",
            ) from exc


# --------------------------------------------------------------------------- discovery


def mapped_files(m: LoadedMapping, landing_dir: Path) -> list[Path]:
    """The files under `landing_dir` matching the mapping's `files` globs, in lexical order
    of their relative path (hidden and temporary files, '.' or '_' first, are left out)."""
    landing_dir = Path(landing_dir)
    found: dict[str, Path] = {}
    for pattern in m.spec.patterns:
        for path in landing_dir.glob(pattern):
            rel = relative_name(path, landing_dir)
            if path.is_file() and not any(p.startswith((".", "_")) for p in rel.split("/")):
                found[rel] = path
    return [found[k] for k in sorted(found)]


# --------------------------------------------------------------------------- SQL


def _dialect(read: ReadOptions) -> CsvDialect:
    return CsvDialect(
        delimiter=read.delimiter,
        quote=read.quote,
        escape=read.escape if read.escape is not None else read.quote,
        encoding=read.encoding,
        skip_rows=read.skip_rows,
    )


def _unique_names(header: list[str]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff") or f"column{i + 1}"
        base, n = name, 2
        while name.lower() in seen:
            name, n = f"{base}_{n}", n + 1
        seen.add(name.lower())
        names.append(name)
    return names


def _nulled(expr: str, read: ReadOptions) -> str:
    markers = sorted({v.strip() for v in read.null_values} | {""})
    listed = ", ".join(sql_str(v) for v in markers)
    return f"case when trim({expr}) in ({listed}) then null else {expr} end"


def _create_macros(con: duckdb.DuckDBPyConnection, read: ReadOptions) -> None:
    text = "trim(x)"
    if read.thousands_separator:
        text = f"replace({text}, {sql_str(read.thousands_separator)}, '')"
    if read.decimal_separator == ",":
        text = f"replace({text}, ',', '.')"
    con.execute(f"create or replace temp macro src_number(x) as try_cast({text} as decimal(38,9))")
    # a sum over the lines of a collapsed record that will not silently leave a line out: a
    # line without a readable number turns the whole record into a bad_number quarantine
    con.execute(
        "create or replace temp macro src_sum(x) as case when count(*) > count(x) then "
        "'not every line of the record has a readable number' else sum(x)::varchar end"
    )
    formats = read.timestamp_formats
    if formats:
        listed = "[" + ", ".join(sql_str(f) for f in formats) + "]"
        parse = f"try_strptime(trim(x), {listed})"
        if any("%z" in f for f in formats):
            # the text carries its offset: an exact time, given in UTC
            parse = f"timezone('UTC', {parse})"
    else:
        parse = "try_cast(trim(x) as timestamp)"
    con.execute(f"create or replace temp macro src_timestamp(x) as {parse}")


def _source_relation(
    con: duckdb.DuckDBPyConnection, m: LoadedMapping, path: Path, fp: Fingerprint, rel: str
) -> list[str]:
    """Stage the file as `__cxw_src`: __line, _line, _file, __malformed, __text and every
    source column (varchar, null markers applied) under its own name. Returns the names."""
    read = m.spec.read
    if read.format == "csv":
        staged = stage_csv(con, path, fp, m.entity, dialect=_dialect(read), view="__cxw_csv_v")
        header = _unique_names(_csv_header(path, _dialect(read)))
        cols = ", ".join(
            f"{_nulled(f'c{i}', read)} as {ident(name)}" for i, name in enumerate(header)
        )
        con.execute(
            "create or replace temp table __cxw_src as select __line, __line as _line, "
            f"{sql_str(rel)} as _file, __malformed, {staged.text_sql} as __text"
            + (f", {cols}" if cols else "")
            + " from __cxw_csv_v order by __line"
        )
        return header
    if fp.is_blank:
        raise FileRejected(
            "unreadable", "the file is empty; land a file with one JSON object per line"
        )
    with rejected_unless_resource("the file cannot be read as text lines ({error})"):
        _read_lines(con, path, "__cxw_lines", read.encoding)
    con.execute(
        "create or replace temp table __cxw_json as select rowid + 1 as __line, "
        "case when rowid = 0 then ltrim(line, chr(65279)) else line end as __text, "
        "json_valid(__text) and json_type(__text) = 'OBJECT' as __object, "
        "case when not json_valid(__text) then 'the line is not valid JSON; write one JSON "
        "object per line' when json_type(__text) <> 'OBJECT' then 'the line is a JSON ' || "
        "lower(json_type(__text)) || ', not an object; write one JSON object per line' end "
        "as __malformed from __cxw_lines where regexp_matches(line, '[^\\s\ufeff]')"
    )
    (keys,) = con.execute(
        "select list(distinct k order by k) from (select unnest(json_keys(__text)) as k "
        "from __cxw_json where __object)"
    ).fetchone()
    keys = keys or []
    cols = ", ".join(
        _nulled(f"json_extract_string(case when __object then __text end, "
                f"{sql_str('$.' + ident(k))})", read) + f" as {ident(k)}"
        for k in keys
    )  # fmt: skip
    con.execute(
        "create or replace temp table __cxw_src as select __line, __line as _line, "
        f"{sql_str(rel)} as _file, __malformed, __text" + (f", {cols}" if cols else "")
        + " from __cxw_json order by __line"
    )  # fmt: skip
    return list(keys)


def _expanded(con: duckdb.DuckDBPyConnection, m: LoadedMapping) -> str:
    """The relation of records after `expand` (a view name)."""
    exp = m.spec.expand
    if exp is None:
        return "__cxw_src"
    alias = ident(exp.as_)
    if exp.unpivot is not None:
        items = ", ".join(
            f"{{'column': {sql_str(c)}, 'value': {ident(c)}::varchar}}" for c in exp.unpivot
        )
        listed = f"[{items}]"
    else:
        (type_,) = con.execute(
            f"select typeof(({exp.unnest})) from __cxw_src limit 1"
        ).fetchone() or ("VARCHAR",)
        listed = f"({exp.unnest})"
        if not type_.endswith("]"):
            listed = f"try_cast({listed} as json[])"
    con.execute(
        f"create or replace temp view __cxw_exp_list as select *, {listed} as __list from __cxw_src"
    )
    con.execute(
        "create or replace temp table __cxw_exp as select * exclude (__list), "
        "unnest(case when __malformed is null and len(__list) > 0 then __list else [null] end) "
        f"as {alias}, unnest(range(1, greatest(coalesce(len(__list), 0), 1) + 1)) "
        "as item_position from __cxw_exp_list order by __line, item_position"
    )
    return "__cxw_exp"


def _column_sql(m: LoadedMapping, column: str, source_names: list[str]) -> str:
    value = str(m.spec.columns[column]).strip()
    by_lower = {n.lower(): n for n in source_names}
    if value.lower() in by_lower:
        return ident(by_lower[value.lower()])
    return f"({value})"


def _mapped(con: duckdb.DuckDBPyConnection, m: LoadedMapping, records: str, names: list[str]):
    """`__cxw_mapped` (one row per record: __line, __malformed, __text, m_<column>) and,
    for group_by, the lines table. Returns the lines table name or None."""
    spec = m.spec
    exprs = ", ".join(f"{_column_sql(m, c, names)} as m_{c}" for c in spec.columns)
    if not spec.group_by:
        con.execute(
            f"create or replace temp table __cxw_mapped as select __line, __malformed, __text, "
            f"{exprs} from {records} order by __line"
        )
        return None
    keys = ", ".join(_group_key(m, k, names) for k in spec.group_by)
    con.execute(
        f"create or replace temp table {MAPPED_LINES} as select case when __malformed is null "
        f"then min(__line) over (partition by __malformed is null, {keys}) else __line end "
        f"as __first_line, __line, __text from {records} order by __line"
    )
    nulls = ", ".join(f"null as m_{c}" for c in spec.columns)
    con.execute(
        "create or replace temp table __cxw_mapped as select * from ("
        f"select min(__line) as __line, null::varchar as __malformed, null::varchar as __text, "
        f"{exprs} from {records} where __malformed is null group by {keys} "
        f"union all by name select __line, __malformed, __text, {nulls} from {records} "
        "where __malformed is not null) order by __line"
    )
    return MAPPED_LINES


def _group_key(m: LoadedMapping, key: str, names: list[str]) -> str:
    by_lower = {n.lower(): n for n in names}
    return ident(by_lower[key.lower()]) if key.lower() in by_lower else f"({key})"


def _normalized(expr: str) -> str:
    return f"lower(trim(regexp_replace(replace({expr}, chr(160), ' '), '\\s+', ' ', 'g')))"


def _word(value: Any) -> str:
    return "null::varchar" if value is None else sql_str(str(value))


def _as_text(m: LoadedMapping, column: str, type_: str, direct: bool) -> str:
    """SQL turning m_<column> (of DuckDB type `type_`) into the contract's text; `direct`
    when the column is a source column as it stands (its text is in the export's number
    format; an expression's text is DuckDB's, with a dot)."""
    col = next(c for c in m.entity.columns if c.name == column)
    read = m.spec.read
    x = f"m_{column}"
    words = m.spec.values.get(column)
    if words:
        cases = " ".join(
            f"when {sql_str(_normalized_text(k))} then {_word(v)}" for k, v in words.items()
        )
        x = f"(case {_normalized(f'{x}::varchar')} {cases} else {x}::varchar end)"
        type_ = "VARCHAR"
    t = type_.upper()
    if col.type == TIMESTAMP:

        def utc(ts: str) -> str:
            with_offset = any("%z" in f for f in read.timestamp_formats)
            if with_offset or read.time_zone.upper() in ("UTC", "ETC/UTC"):
                return ts
            return f"timezone('UTC', timezone({sql_str(read.time_zone)}, {ts}))"

        def iso(ts: str) -> str:
            return f"(strftime({ts}, {sql_str(ISO_UTC)}) || 'Z')"

        if t.startswith("TIMESTAMP WITH TIME ZONE"):
            return iso(f"timezone('UTC', {x})")
        if t.startswith("TIMESTAMP") or t == "DATE":
            return iso(utc(f"{x}::timestamp"))
        if t == "VARCHAR":
            if read.timestamp_formats:
                return f"coalesce({iso(utc(f'src_timestamp({x})'))}, {x})"
            offset = "regexp_matches(trim(" + x + "), '(?:[Zz]|[+-]\\d{2}(?::?\\d{2})?)$')"
            return (
                f"case when length(trim({x})) > 10 and {offset} then {x} else "
                f"coalesce({iso(utc(f'try_cast(trim({x}) as timestamp)'))}, {x}) end"
            )
        raise m.error(
            ("columns", column),
            f"gives a {type_}, not a timestamp",
            "convert it, e.g. epoch_ms(x) for epoch milliseconds or to_timestamp(x) for "
            "epoch seconds",
        )
    if col.type in (DECIMAL, INTEGER):
        if t == "VARCHAR" and (direct or words):
            text = f"trim({x})"
            if read.thousands_separator:
                text = f"replace({text}, {sql_str(read.thousands_separator)}, '')"
            if read.decimal_separator == ",":
                text = f"replace({text}, ',', '.')"
            return text
        return f"{x}::varchar"
    if col.type == BOOLEAN:
        return f"{x}::varchar"
    if col.type == JSON:
        return x if t in ("VARCHAR", "JSON") else f"to_json({x})::varchar"
    return f"{x}::varchar"


def _normalized_text(value: str) -> str:
    return re.sub(r"\s+", " ", str(value).replace("\u00a0", " ")).strip().lower()


def _staged_view(
    con: duckdb.DuckDBPyConnection, m: LoadedMapping, names: list[str], view: str = STAGED
) -> None:
    types = dict(
        con.execute("select column_name, column_type from (describe __cxw_mapped)").fetchall()
    )
    v_cols = []
    for c in m.entity.columns:
        if c.name in m.spec.columns:
            direct = not _column_sql(m, c.name, names).startswith("(")
            text = _as_text(m, c.name, types[f"m_{c.name}"], direct)
            v_cols.append(f"{text} as v_{c.name}")
        else:
            v_cols.append(f"null::varchar as v_{c.name}")
    con.execute(
        f"create or replace temp view {view} as select __line, __malformed, __text, "
        + ", ".join(v_cols)
        + " from __cxw_mapped"
    )


def stage_mapped(
    con: duckdb.DuckDBPyConnection, m: LoadedMapping, path: Path, fp: Fingerprint, rel: str
) -> Staged:
    """Stage one file through its mapping as the loader's staged view (see module doc)."""
    _create_macros(con, m.spec.read)
    names = _source_relation(con, m, path, fp, rel)
    _check_sources(m, names, rel)
    try:
        records = _expanded(con, m)
        lines = _mapped(con, m, records, names)
        _staged_view(con, m, names)
    except duckdb.Error as exc:
        if resource_kind(exc) is not None:
            raise  # not the file's fault: the loader leaves it for the next run
        raise FileRejected(
            "unreadable",
            f"the source mapping {m.path} cannot be applied to this file ({_first(exc)}); "
            "correct the mapping (try_cast or src_number / src_timestamp for values that may "
            "not convert) and run again",
        ) from exc
    return Staged(text_sql="__text", lines_table=lines)


def _check_sources(m: LoadedMapping, names: list[str], rel: str) -> None:
    """Bind every expression of the mapping against the file's columns (no rows): an
    unknown column or a bad expression raises MappingError naming its key."""
    probe = duckdb.connect()
    try:
        _create_macros(probe, m.spec.read)
        cols = ", ".join(f"null::varchar as {ident(n)}" for n in names)
        probe.execute(
            "create temp table __cxw_src as select 1::bigint as __line, 1::bigint as _line, "
            "''::varchar as _file, null::varchar as __malformed, ''::varchar as __text"
            + (f", {cols}" if cols else "")
            + " where false"
        )
        shown = ", ".join(names) or "none"
        if m.spec.expand is not None:
            if m.spec.expand.unpivot is not None:
                for i, c in enumerate(m.spec.expand.unpivot):
                    if c.lower() not in {n.lower() for n in names}:
                        raise m.error(
                            ("expand", "unpivot", str(i)),
                            f"{c!r} is not a column of {rel} (its columns: {shown})",
                            "correct the column name",
                        )
            else:
                _bind(probe, m, ("expand", "unnest"), f"select ({m.spec.expand.unnest})", shown)
            # an element of the right type for the columns to bind against
            try:
                _expanded(probe, m)
            except duckdb.Error as exc:
                raise m.error(
                    ("expand",), f"cannot be applied ({_first(exc)})", "correct the expression"
                ) from exc
            records = "__cxw_exp"
        else:
            records = "__cxw_src"
        for i, key in enumerate(m.spec.group_by or []):
            _bind(probe, m, ("group_by", str(i)), f"select {_group_key(m, key, names)}", shown,
                  records)  # fmt: skip
        group = ""
        if m.spec.group_by:
            group = " group by " + ", ".join(_group_key(m, k, names) for k in m.spec.group_by)
        for column in m.spec.columns:
            _bind(
                probe,
                m,
                ("columns", column),
                f"select {_column_sql(m, column, names)} as m_{column}",
                shown,
                records,
                group,
            )
        try:
            _mapped(probe, m, records, names)
            _staged_view(probe, m, names, view="__cxw_probe")
            probe.execute("select * from __cxw_probe").fetchall()
        except duckdb.Error as exc:
            raise m.error(("columns",), f"cannot be applied ({_first(exc)})", "correct it") from exc
    finally:
        probe.close()


def _first(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _bind(probe, m, key, select, shown, records="__cxw_src", group="") -> None:
    try:
        probe.execute(f"describe {select} from {records}{group}").fetchall()
    except duckdb.Error as exc:
        message = _first(exc)
        if "not found in FROM clause" in message or "Referenced column" in message:
            todo = f"use a column of the file (its columns: {shown}) or fix the expression"
        elif "must appear in the GROUP BY" in message or "aggregate" in message.lower():
            todo = "with group_by, wrap the column in an aggregate such as first(x) or sum(x)"
        else:
            todo = "correct the DuckDB SQL expression"
        raise m.error(key, f"DuckDB cannot use it ({message})", todo) from exc


# --------------------------------------------------------------------------- loading


def ensure_mapping_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(MAPPED_FILES_DDL)
    con.execute(MAPPED_RECORDS_DDL)


def load_mappings(paths: Iterable[Path | str]) -> list[LoadedMapping]:
    return [load_mapping(p) for p in paths]


def configured_mappings() -> list[LoadedMapping]:
    """The mappings of CXW_MAPPINGS (`cxw run --mapping`), validated."""
    from ..config import settings

    return load_mappings(settings().mappings)


def check_mappings(mappings: Iterable[LoadedMapping], landing_dir: Path) -> None:
    """Fail before loading anything when a mapping cannot apply to its files: no file
    matches, or a column or expression does not bind against a file's columns."""
    landing_dir = Path(landing_dir)
    for m in mappings:
        files = mapped_files(m, landing_dir)
        if not files:
            raise m.error(
                ("files",),
                f"no file under {landing_dir} matches {', '.join(m.spec.patterns)}",
                "check the glob (relative to CXW_LANDING_DIR) or the landing folder",
            )
        headers: set[tuple[str, ...]] = set()
        for path in files:
            rel = relative_name(path, landing_dir)
            names = tuple(_peek_names(m, path))
            if names in headers:
                continue
            headers.add(names)
            _check_sources(m, list(names), rel)


def _peek_names(m: LoadedMapping, path: Path) -> list[str]:
    read = m.spec.read
    try:
        if read.format == "csv":
            return _unique_names(_csv_header(path, _dialect(read)))
        keys: set[str] = set()
        with path.open("r", encoding=read.encoding, errors="replace") as f:
            for line in islice(f, 1000):
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if isinstance(obj, dict):
                    keys |= set(obj)
        return sorted(keys)
    except FileRejected:
        return []  # the loader quarantines the file whole, with the reason


def _reader(m: LoadedMapping, landing_dir: Path) -> Reader:
    def stage(con, path, fp, entity) -> Staged:
        return stage_mapped(con, m, path, fp, relative_name(path, landing_dir))

    def on_loaded(con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
        (rel,) = con.execute("select first(_file) from __cxw_src").fetchone()
        con.execute(
            "insert into raw.mapped_files values (?, ?, ?, ?, ?, ?)",
            [batch_id, m.entity.name, rel, str(m.path), m.sha256, m.spec.source],
        )
        if m.spec.group_by:
            con.execute(
                "insert into raw.mapped_records select ?, ?, c.__line, count(*) "
                f"from {CHECKED} c join {MAPPED_LINES} l on l.__first_line = c.__line "
                "where c.__code is null group by c.__line order by c.__line",
                [batch_id, m.entity.name],
            )

    encoding = m.spec.read.encoding.lower().replace("-", "")
    return Reader(
        stage=stage,
        fmt="csv" if m.spec.read.format == "csv" else "jsonl",
        utf8=encoding == "utf8",
        on_loaded=on_loaded,
    )


def load_mapped(
    con: duckdb.DuckDBPyConnection,
    mappings: Iterable[LoadedMapping],
    landing_dir: Path,
    *,
    quarantine_dir: Path | None = None,
) -> list[FileLoadResult]:
    """Load every file each mapping covers (lexical order), as the loader loads landing
    files: once by content, bad records quarantined, one load_log row per file."""
    landing_dir = Path(landing_dir)
    ensure_mapping_tables(con)
    results: list[FileLoadResult] = []
    for m in mappings:
        reader = _reader(m, landing_dir)
        for path in mapped_files(m, landing_dir):
            results.append(
                load_file(
                    con,
                    m.entity,
                    path,
                    landing_dir,
                    time_zone=m.spec.read.time_zone,
                    quarantine_dir=quarantine_dir,
                    reader=reader,
                )
            )
    return results


__all__ = [
    "LoadedMapping",
    "Mapping",
    "MappingError",
    "check_mappings",
    "ensure_mapping_tables",
    "load_mapped",
    "load_mapping",
    "load_mappings",
    "mapped_files",
    "stage_mapped",
]


# --------------------------------------------------------------------------- check


@dataclass
class CheckReport:
    mapping: Path
    entity: str
    files: list[FileLoadResult]
    reasons: list[tuple[str, int, list[tuple[str, int | None, str, str | None]]]]
    sample: list[dict[str, Any]]


def sample_check(
    mapping_path: Path, landing_dir: Path, *, files: int = 3, examples: int = 3
) -> CheckReport:
    """Load the first `files` files the mapping covers into a throw-away in-memory DuckDB
    and report what would load and what would be quarantined (reason, count, examples).
    Raises MappingError as `cxw run` would."""
    from .schema import ensure_raw_schema

    m = load_mapping(mapping_path)
    check_mappings([m], landing_dir)
    con = duckdb.connect()
    try:
        ensure_raw_schema(con)
        ensure_mapping_tables(con)
        sample = mapped_files(m, landing_dir)[: max(files, 1)]
        reader = _reader(m, Path(landing_dir))
        results = [
            load_file(
                con,
                m.entity,
                path,
                Path(landing_dir),
                time_zone=m.spec.read.time_zone,
                reader=reader,
            )
            for path in sample
        ]
        reasons = []
        for code, count in con.execute(
            "select reason_code, count(*) from raw.quarantine group by 1 order by 2 desc, 1"
        ).fetchall():
            shown = con.execute(
                "select file_path, line, reason, original_text from raw.quarantine "
                "where reason_code = ? order by file_path, line nulls first limit ?",
                [code, examples],
            ).fetchall()
            reasons.append((code, count, shown))
        cursor = con.execute(f"select * exclude (_batch_id, _loaded_at) from raw.{m.entity.name} "
                             "order by _file, _line limit 3")  # fmt: skip
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return CheckReport(m.path, m.entity.folder, results, reasons, rows)
    finally:
        con.close()


def format_check(report: CheckReport) -> str:
    lines = [f"mapping {report.mapping} → {report.entity}"]
    for r in report.files:
        lines.append(
            f"  {r.file_path}: {r.status}, read {r.rows_read}, would load {r.rows_loaded}, "
            f"would quarantine {r.rows_quarantined}"
            + (f" ({r.message})" if r.status == "quarantined" and r.message else "")
        )
    if not report.reasons:
        lines.append("  nothing would be quarantined")
    for code, count, shown in report.reasons:
        lines.append(f"  quarantined: {count} line(s) {code}")
        for file_path, line, reason, text in shown:
            lines.append(f"    {reason}")
            if text is not None:
                lines.append(f"      {file_path} line {line}: {text[:160]}")
    if report.sample:
        lines.append("  first records as loaded:")
        for row in report.sample:
            shown_row = {k: v for k, v in row.items() if v is not None}
            lines.append(f"    {shown_row}")
    return "\n".join(lines)
