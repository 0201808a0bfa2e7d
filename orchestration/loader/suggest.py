"""`cxw mapping suggest`: a draft source mapping for an export, from what DuckDB sniffs.

suggest(path, entity) -> Suggestion   what was found (dialect, encoding, formats, matches)
suggest_mapping(path, entity) -> str  the draft mapping (YAML); undecided items say TODO

The CSV dialect (delimiter, quote, escape, header, leading rows, column types) comes from
DuckDB's `sniff_csv`; the encoding from the bytes (UTF-8 with or without BOM, UTF-16 by its
BOM, else Latin-1); timestamp formats from trying each candidate format on a sample of every
text column (`try_strptime`: a format is proposed when it parses every sampled value; when
a day-first and a month-first format both do, the choice is marked TODO); epoch seconds or
milliseconds from integer columns in the range of the years 2000-2040. Contract columns are
matched to source columns by name (the contract name and common export names, compared
without case, spaces or punctuation) and, for timestamps, by content.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import duckdb

from .contract import TIMESTAMP, Entity
from .mapping import _entity
from .validation import ident, sql_str

SAMPLE_ROWS = 2000

# Candidate formats, most specific first. Each pair of day-first / month-first twins is
# ambiguous until a value with a day above 12 decides.
TIMESTAMP_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d/%m/%y %H:%M",
    "%m/%d/%y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%y",
    "%m/%d/%y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
)

# Export names seen for each contract column (compared as lower-case letters and digits).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customerid", "customer", "clientid", "userid", "callerid", "accountid",
                    "contactid", "buyerid", "customerno", "customernumber"),
    "email": ("emailaddress", "mail", "customeremail"),
    "phone": ("phonenumber", "mobile", "telephone", "tel"),
    "first_name": ("firstname", "givenname", "forename"),
    "last_name": ("lastname", "surname", "familyname"),
    "country": ("countrycode", "nation"),
    "created_at": ("created", "createdat", "createdon", "creationdate", "signupdate"),
    "updated_at": ("updated", "updatedat", "modified", "lastmodified", "sysupdatedat",
                   "modifiedat", "lastupdated"),
    "order_id": ("orderid", "order", "ordernumber", "orderno", "invoiceno", "invoice",
                 "invoiceid", "invoicenumber", "transactionid"),
    "ordered_at": ("orderdate", "orderedat", "invoicedate", "orderdatetime", "purchasedate",
                   "createdat", "date"),
    "status": ("status", "state", "orderstatus", "incidentstate", "casestatus", "ticketstatus"),
    "currency": ("currency", "currencycode"),
    "amount": ("amount", "total", "ordertotal", "totalamount", "grandtotal", "revenue",
               "value", "totalprice"),
    "items_count": ("items", "itemscount", "quantity", "qty", "numberofitems"),
    "ticket_id": ("ticketid", "ticket", "number", "caseid", "caseenquiryid", "incidentid",
                  "incident", "id"),
    "contact_email": ("requesteremail", "email", "contactemail"),
    "channel": ("channel", "source", "contacttype", "via", "origin"),
    "category": ("category", "reason", "type", "topic"),
    "priority": ("priority", "urgency"),
    "opened_at": ("openedat", "opendt", "opened", "createdat", "created", "opendate"),
    "first_response_at": ("firstresponseat", "firstreplyat", "firstresponsetime"),
    "resolved_at": ("resolvedat", "solvedat", "closeddt", "closedat", "resolved", "closed"),
    "agent_replies": ("agentreplies", "replies", "publiccomments"),
    "reopened_count": ("reopens", "reopencount", "reopenedcount"),
    "response_id": ("responseid", "id", "submissionid", "respondentid"),
    "survey_id": ("surveyid", "survey", "formid"),
    "survey_type": ("surveytype", "questiontype"),
    "submitted_at": ("submittedat", "submitted", "date", "time", "timestamp", "enddate",
                     "responsedate", "createdat"),
    "respondent_email": ("email", "respondentemail"),
    "touchpoint": ("touchpoint",),
    "score": ("score", "rating", "stars", "nps", "likelytorecommend", "csat"),
    "comment": ("comment", "comments", "text", "feedback", "review"),
    "language": ("language", "lang", "locale"),
    "related_id": ("relatedid", "productid", "orderid", "ticketid"),
    "event_id": ("eventid", "id", "messageid"),
    "event_at": ("eventat", "ts", "timestamp", "time", "eventtime", "sentat"),
    "anonymous_id": ("anonymousid", "session", "sessionid", "deviceid", "cookieid",
                     "visitorid", "clientid"),
    "user_id": ("userid",),
    "event_type": ("eventtype", "type", "event", "action", "eventname"),
    "page_url": ("pageurl", "url", "page"),
    "referrer": ("referrer", "referer"),
    "device_type": ("devicetype", "device"),
}  # fmt: skip

# Values exports write for "no value" (compared trimmed, any case).
NULL_MARKERS = ("?", "-", "--", "n/a", "na", "null", "none", "nil", "#n/a")

EPOCH_SECONDS = (946684800, 2208988800)  # 2000-01-01 .. 2040-01-01
EPOCH_MS = (EPOCH_SECONDS[0] * 1000, EPOCH_SECONDS[1] * 1000)


@dataclass
class Suggestion:
    entity: Entity
    format: str  # csv | jsonl
    encoding: str
    delimiter: str | None = None
    quote: str | None = None
    escape: str | None = None
    skip_rows: int = 0
    columns: list[str] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    timestamp_formats: dict[str, list[str]] = field(default_factory=dict)  # column -> fits
    epochs: dict[str, str] = field(default_factory=dict)  # column -> seconds | milliseconds
    unnest: str | None = None  # a JSON array of objects to expand
    null_values: list[str] = field(default_factory=list)  # markers seen in the sample
    matches: dict[str, str] = field(default_factory=dict)  # contract column -> SQL
    undecided: list[str] = field(default_factory=list)  # notes for the TODO list

    @property
    def timestamp_format(self) -> str | None:
        """The format of the timestamp columns, when they agree on one."""
        decided = {fits[0] for fits in self.timestamp_formats.values() if len(fits) == 1}
        if len(decided) == 1:
            return decided.pop()
        return None


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def detect_encoding(path: Path) -> str:
    """utf-8 (a BOM is fine), utf-16 (by its BOM) or latin-1, from the first 4 MB."""
    with path.open("rb") as f:
        head = f.read(4 * 1024 * 1024)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def _present(col: str) -> str:
    markers = ", ".join(sql_str(m) for m in NULL_MARKERS)
    return f"nullif(trim({col}), '') is not null and lower(trim({col})) not in ({markers})"


def _fits(con: duckdb.DuckDBPyConnection, relation: str, column: str) -> list[str]:
    """The candidate formats that parse every sampled value of `column` (empty values and
    null markers aside); a four-digit-year format must give a year after 1900 (strptime
    reads '18' as the year 18 with %Y)."""
    col = ident(column)

    def ok(fmt: str) -> str:
        parsed = f"try_strptime(trim({col}), {sql_str(fmt)})"
        if "%Y" in fmt:
            return f"count_if({parsed} is null or year({parsed}) < 1900) = 0"
        return f"count_if({parsed} is null) = 0"

    (n,) = con.execute(f"select count(*) from {relation} where {_present(col)}").fetchone()
    if not n:
        return []
    tries = ", ".join(ok(f) for f in TIMESTAMP_FORMATS)
    row = con.execute(f"select {tries} from {relation} where {_present(col)}").fetchone()
    return [f for f, fits in zip(TIMESTAMP_FORMATS, row, strict=True) if fits]


def _null_markers(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str]) -> list[str]:
    """The null markers (NULL_MARKERS, as written) that occur in the sample."""
    markers = ", ".join(sql_str(m) for m in NULL_MARKERS)
    found: set[str] = set()
    for column in columns:
        col = ident(column)
        found |= {
            v
            for (v,) in con.execute(
                f"select distinct trim({col}::varchar) from {relation} "
                f"where lower(trim({col}::varchar)) in ({markers})"
            ).fetchall()
        }
    return sorted(found)


def _epoch(con: duckdb.DuckDBPyConnection, relation: str, column: str) -> str | None:
    col = ident(column)
    row = con.execute(
        f"select count(*), min(v), max(v), count(v) from (select try_cast(trim({col}::varchar) "
        f"as hugeint) as v from {relation} where {_present(col + '::varchar')})"
    ).fetchone()
    n, low, high, numeric = row
    if not n or numeric != n:
        return None
    if EPOCH_MS[0] <= low and high <= EPOCH_MS[1]:
        return "milliseconds"
    if EPOCH_SECONDS[0] <= low and high <= EPOCH_SECONDS[1]:
        return "seconds"
    return None


def suggest(path: Path, entity_name: str) -> Suggestion:
    """Sniff `path` and match its columns to the contract entity (see module docstring)."""
    path = Path(path)
    entity = _entity(entity_name)
    if entity is None:
        raise ValueError(
            f"--entity {entity_name!r} is not a contract entity; use customers, orders, "
            "tickets, events or responses"
        )
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    encoding = detect_encoding(path)
    con = duckdb.connect()
    try:
        if path.name.lower().endswith((".jsonl", ".ndjson", ".json", ".jsonl.gz")):
            s = _sniff_jsonl(con, path, entity, encoding)
        else:
            s = _sniff_csv(con, path, entity, encoding)
        _match(s)
        return s
    finally:
        con.close()


def _sniff_csv(con, path: Path, entity: Entity, encoding: str) -> Suggestion:
    options = "" if encoding == "utf-8" else f", encoding={sql_str(encoding)}"
    try:
        row = con.execute(
            "select Delimiter, Quote, Escape, SkipRows, HasHeader, Columns "
            f"from sniff_csv(?, sample_size={SAMPLE_ROWS}{options})",
            [str(path)],
        ).fetchone()
    except duckdb.Error as exc:
        raise ValueError(f"DuckDB cannot sniff {path} as CSV ({str(exc).splitlines()[0]})") from exc
    delimiter, quote, escape, skip, has_header, columns = row
    s = Suggestion(entity, "csv", encoding)
    s.delimiter = delimiter
    s.quote = quote if quote and quote != "(empty)" else '"'
    s.escape = escape if escape and escape != "(empty)" else s.quote
    s.skip_rows = int(skip or 0)
    if not has_header:
        s.undecided.append("DuckDB found no header row: name the columns in the file first")
    s.columns = [c["name"] for c in columns]
    s.types = {c["name"]: c["type"] for c in columns}
    spec = ", ".join(f"{sql_str(c)}: 'VARCHAR'" for c in s.columns)
    con.execute(
        "create temp table sample as select * from read_csv(?, header=true, auto_detect=false, "
        f"delim={sql_str(s.delimiter)}, quote={sql_str(s.quote)}, escape={sql_str(s.escape)}, "
        f"skip={s.skip_rows}, columns={{{spec}}}, ignore_errors=true{options}) "
        f"limit {SAMPLE_ROWS}",
        [str(path)],
    )
    _content(con, s, "sample", s.columns)
    s.null_values = _null_markers(con, "sample", s.columns)
    return s


def _content(con, s: Suggestion, relation: str, columns: list[str], prefix: str = "") -> None:
    for column in columns:
        type_ = s.types.get(prefix + column, "VARCHAR")
        if type_ in ("BIGINT", "INTEGER", "HUGEINT", "UBIGINT", "VARCHAR"):
            kind = _epoch(con, relation, column)
            if kind:
                s.epochs[prefix + column] = kind
                continue
        if type_ in ("VARCHAR", "TIMESTAMP", "DATE"):
            fits = _fits(con, relation, column)
            if fits:
                s.timestamp_formats[prefix + column] = fits


def _sniff_jsonl(con, path: Path, entity: Entity, encoding: str) -> Suggestion:
    s = Suggestion(entity, "jsonl", encoding)
    objects = []
    with path.open("r", encoding=encoding, errors="replace") as f:
        for line in islice(f, SAMPLE_ROWS):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                objects.append(obj)
    if not objects:
        raise ValueError(f"no line of {path} is a JSON object: is it JSON lines?")
    keys = sorted({k for o in objects for k in o})
    s.columns = keys
    con.execute("create temp table lines as select unnest(?::varchar[]) as j", [
        [json.dumps(o) for o in objects]
    ])  # fmt: skip
    select = ", ".join(f"j->>{sql_str('$.' + ident(k))} as {ident(k)}" for k in keys)
    con.execute(f"create temp table sample as select {select} from lines")
    arrays = [
        k for k in keys if any(isinstance(o.get(k), list) and o.get(k) and
                               isinstance(o[k][0], dict) for o in objects)
    ]  # fmt: skip
    _content(con, s, "sample", [k for k in keys if k not in arrays])
    if arrays:
        s.unnest = arrays[0]
        inner = sorted({k for o in objects for e in (o.get(s.unnest) or []) for k in e})
        con.execute(
            "create temp table elements as select e as j from (select unnest("
            f"cast(j->{sql_str('$.' + ident(s.unnest))} as json[])) as e from lines)"
        )
        select = ", ".join(f"j->>{sql_str('$.' + ident(k))} as {ident(k)}" for k in inner)
        con.execute(f"create temp table element_sample as select {select} from elements")
        _content(con, s, "element_sample", inner, prefix="item.")
        s.columns += [f"item.{k}" for k in inner]
    return s


def _source_sql(s: Suggestion, column: str, *, in_expression: bool = False) -> str:
    if column.startswith("item."):
        return f"item->>{sql_str(column.removeprefix('item.'))}"
    plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", column)
    return column if plain and not in_expression else ident(column)


def _match(s: Suggestion) -> None:
    by_norm: dict[str, str] = {}
    for column in s.columns:
        by_norm.setdefault(_norm(column.removeprefix("item.")), column)
    used: set[str] = set()
    for c in s.entity.columns:
        names = (_norm(c.name), *SYNONYMS.get(c.name, ()))
        candidates = [by_norm[n] for n in names if n in by_norm and by_norm[n] not in used]
        if c.type == TIMESTAMP:
            # a timestamp column must hold timestamps; a required one takes the first
            # timestamp column left when no name matches
            candidates = [x for x in candidates if x in s.timestamp_formats or x in s.epochs]
            if not candidates and c.required:
                candidates = [x for x in (*s.timestamp_formats, *s.epochs) if x not in used][:1]
        if not candidates:
            continue
        source = candidates[0]
        used.add(source)
        sql = _source_sql(s, source, in_expression=source in s.epochs)
        if source in s.epochs:
            value = f"try_cast({sql} as bigint)"
            sql = (
                f"epoch_ms({value})" if s.epochs[source] == "milliseconds"
                else f"to_timestamp({value})"
            )  # fmt: skip
        s.matches[c.name] = sql


def _yaml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def suggest_mapping(path: Path, entity_name: str, *, landing: str | None = None) -> str:
    """The draft mapping for `path` as YAML text (see module docstring)."""
    path = Path(path).resolve()
    s = suggest(path, entity_name)
    base = Path(landing).resolve() if landing else path.parent
    try:
        pattern = path.relative_to(base).as_posix()
    except ValueError:
        pattern = path.name
    out = [
        f"# Draft source mapping for {path.name}, written by `cxw mapping suggest`.",
        "# Check every line, decide what is marked TODO, then try it with",
        "#   cxw mapping check THIS_FILE",
        "source: " + _yaml_str(path.stem),
        f"entity: {s.entity.folder}",
        "files: " + _yaml_str(pattern),
        "read:",
        f"  format: {s.format}",
    ]
    if s.format == "csv":
        out += [
            "  delimiter: " + _yaml_str(s.delimiter or ","),
            "  quote: " + _yaml_str(s.quote or '"'),
            "  escape: " + _yaml_str(s.escape or '"'),
        ]
        if s.skip_rows:
            out.append(f"  skip_rows: {s.skip_rows}")
    out.append(f"  encoding: {s.encoding}")
    if s.null_values:
        out.append("  null_values: " + json.dumps(s.null_values))
    fmt = s.timestamp_format
    if fmt:
        out.append("  timestamp_format: " + _yaml_str(fmt))
    elif s.timestamp_formats:
        options = sorted({f for fits in s.timestamp_formats.values() for f in fits})
        out.append(
            "  timestamp_format: TODO  # the values fit " + ", ".join(options) + "; pick one"
        )
    out.append("  time_zone: UTC  # TODO: the zone of timestamps without offset")
    if s.unnest:
        out += ["expand:", f"  unnest: {_source_sql(s, s.unnest)}", "  as: item"]
    out.append("columns:")
    for c in s.entity.columns:
        if c.name in s.matches:
            out.append(f"  {c.name}: " + _yaml_str(s.matches[c.name]))
        elif c.required:
            out.append(f"  {c.name}: TODO  # required: a source column or a SQL expression")
        else:
            out.append(f"  # {c.name}: not found in the file")
    unused = [x for x in s.columns if _source_sql(s, x) not in s.matches.values() and x != s.unnest]
    if unused:
        out.append("# source columns not mapped: " + ", ".join(unused))
    for note in s.undecided:
        out.append(f"# TODO: {note}")
    return "\n".join(out) + "\n"
