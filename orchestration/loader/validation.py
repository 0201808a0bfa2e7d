"""SQL that types the raw text of a landing record and finds the first contract breach.

Everything here builds SQL expressions over a relation that holds, per record, the raw
text of every contract column (`v_<column>`, varchar, NULL when the column is absent) and
`__malformed` (a message when the record could not be parsed at all). DuckDB evaluates
them for all rows at once: there are no Python loops over rows.
"""

from __future__ import annotations

from ..vocabulary import value_sql, vocabulary
from .contract import (
    BOOLEAN,
    DECIMAL,
    FALSE_VALUES,
    INTEGER,
    JSON,
    SURVEY_SCALES,
    TEXT,
    TIMESTAMP,
    TRUE_VALUES,
    Column,
    Entity,
)

# ISO-8601 date or date-time, optional fraction and offset (the offset needs a time).
ISO_TIMESTAMP_RE = (
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)
OFFSET_RE = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"
# A number as spreadsheets and dataframes write it (landing contract): a sign, digits with
# a dot as the decimal separator, any number of decimals, exponent notation (1.5e3,
# 1E-07). No thousands separator, no decimal comma, no inf/nan.
NUMBER_RE = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
DECIMAL_RE = NUMBER_RE
# A whole number, however written: 3, +3, 3.0 (pandas writes an integer column with a
# missing value as floats), 3e2.
INTEGER_RE = NUMBER_RE

# The order in which breaches are reported when a record has several.
REASON_ORDER = (
    "malformed_record",
    "missing_required",
    "bad_timestamp",
    "bad_number",
    "bad_boolean",
    "unknown_value",
    "unknown_survey_type",
    "score_out_of_range",
    "negative_value",
    "response_before_open",
)


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def raw(column: Column) -> str:
    """The raw text of a column, trimmed; NULL when empty."""
    return f"nullif(trim(v_{column.name}), '')"


def shown(expr: str) -> str:
    """A value quoted for a message, cut at 80 characters."""
    return (
        f"""('"' || left({expr}, 80) || case when length({expr}) > 80 then '…' else '' end """
        f"""|| '"')"""
    )


def timestamp_sql(expr: str, time_zone: str) -> str:
    """Parse ISO-8601 text to a naive UTC timestamp (NULL when it does not parse)."""
    if time_zone.upper() in ("UTC", "ETC/UTC", "Z"):
        naive = f"try_cast({expr} as timestamp)"
    else:
        naive = f"timezone('UTC', timezone({sql_str(time_zone)}, try_cast({expr} as timestamp)))"
    exact = f"timezone('UTC', try_cast(upper({expr}) as timestamptz))"
    return (
        f"case when regexp_full_match({expr}, {sql_str(ISO_TIMESTAMP_RE)}) then "
        f"case when length({expr}) > 10 and regexp_matches({expr}, {sql_str(OFFSET_RE)}) "
        f"then {exact} else {naive} end end"
    )


def typed_sql(column: Column, time_zone: str) -> str:
    """The typed value of a column (NULL when empty or when it does not parse)."""
    r = raw(column)
    if column.type == TEXT:
        return f"nullif(v_{column.name}, '')"
    if column.type == TIMESTAMP:
        return timestamp_sql(r, time_zone)
    if column.type == DECIMAL:
        return (
            f"case when regexp_full_match({r}, {sql_str(DECIMAL_RE)}) "
            f"then try_cast({r} as {DECIMAL}) end"
        )
    if column.type == INTEGER:
        exact = f"try_cast({r} as {DECIMAL})"
        return (
            f"case when regexp_full_match({r}, {sql_str(INTEGER_RE)}) "
            f"and {exact} = trunc({exact}) then try_cast({exact} as integer) end"
        )
    if column.type == BOOLEAN:
        trues = ", ".join(sql_str(v) for v in TRUE_VALUES)
        falses = ", ".join(sql_str(v) for v in FALSE_VALUES)
        return (
            f"case when lower({r}) in ({trues}) then true "
            f"when lower({r}) in ({falses}) then false end"
        )
    if column.type == JSON:
        return f"case when json_valid({r}) then {r}::json end"
    raise ValueError(f"no parser for column type {column.type!r} ({column.name})")


# A typed column's value that does not convert: the reason, by type (in REASON_ORDER), and
# what a value of the type must be (the message, after "which is not").
_TYPE_REASONS = (
    ("bad_timestamp", (TIMESTAMP,)),
    ("bad_number", (DECIMAL, INTEGER)),
    ("bad_boolean", (BOOLEAN,)),
)
_MUST_BE = {
    TIMESTAMP: "an ISO-8601 timestamp; write it as YYYY-MM-DD[THH:MM[:SS[.ffffff]]][Z|±HH:MM]",
    DECIMAL: "a number below 10^20 (use a dot as the decimal separator, no thousands "
    "separator; exponent notation such as 1.5e3 is fine); correct the value in the source "
    "extract",
    INTEGER: "a whole number (integer) between -2147483648 and 2147483647; correct the value "
    "in the source extract",
    BOOLEAN: "a boolean; use true/false, 1/0 or yes/no (or leave it empty if unknown)",
}


def _checks(entity: Entity, time_zone: str) -> list[tuple[str, str, str]]:
    """(reason_code, condition, message) in REASON_ORDER, columns in contract order."""
    checks: list[tuple[str, str, str]] = [
        ("malformed_record", "__malformed is not null", "__malformed"),
    ]
    for c in entity.columns:
        if c.required:
            checks.append(
                (
                    "missing_required",
                    f"{raw(c)} is null",
                    f'\'required column "{c.name}" is empty; fill it in the source extract '
                    "and land the corrected record in a new file'",
                )
            )
    for reason, types in _TYPE_REASONS:
        for c in entity.columns:
            if c.type in types:
                checks.append(
                    (
                        reason,
                        f"{raw(c)} is not null and t_{c.name} is null",
                        f"'column \"{c.name}\" has ' || {shown(raw(c))} || ', which is not "
                        f"{_MUST_BE[c.type]}'",
                    )
                )
    for c in entity.columns:
        if c.vocabulary and c.required and not vocabulary(c.vocabulary).open:
            listed = vocabulary(c.vocabulary).listed
            checks.append(
                (
                    "unknown_survey_type" if c.name == "survey_type" else "unknown_value",
                    f"{raw(c)} is not null and k_{c.name} is null",
                    f"'column \"{c.name}\" has ' || {shown(raw(c))} || ', which is neither "
                    f"one of {'/'.join(listed)} nor a synonym in seeds/vocabulary.csv; map the "
                    "word there (with the tool that writes it) if it means one of them, or "
                    "correct the value in the source extract'",
                )
            )
    names = set(entity.column_names)
    if {"survey_type", "score"} <= names:
        kind = "k_survey_type"
        low = (
            f"case {kind} "
            + " ".join(f"when {sql_str(k)} then {lo}" for k, (lo, _) in SURVEY_SCALES.items())
            + " end"
        )
        high = (
            f"case {kind} "
            + " ".join(f"when {sql_str(k)} then {hi}" for k, (_, hi) in SURVEY_SCALES.items())
            + " end"
        )
        checks.append(
            (
                "score_out_of_range",
                f"t_score is not null and (t_score < {low} or t_score > {high})",
                f"'column \"score\" has ' || t_score || ', outside the ' || {kind} || ' scale ' "
                f"|| {low} || '-' || {high} || '; correct the score in the survey tool export'",
            )
        )
    for c in entity.columns:
        if c.minimum is not None:
            checks.append(
                (
                    "negative_value",
                    f"t_{c.name} < {c.minimum}",
                    f"'column \"{c.name}\" has ' || {shown(raw(c))} || ', but it must be >= "
                    f"{c.minimum:g}; correct the value in the source extract'",
                )
            )
    if "opened_at" in names:
        for later in ("first_response_at", "resolved_at"):
            if later in names:
                checks.append(
                    (
                        "response_before_open",
                        f"t_{later} < t_opened_at",
                        f'\'column "{later}" (\' || t_{later} || \' UTC) precedes "opened_at" '
                        f"(' || t_opened_at || ' UTC); correct the ticket times in the CRM "
                        "extract (check their time zone)'",
                    )
                )
    order = {code: i for i, code in enumerate(REASON_ORDER)}
    return sorted(checks, key=lambda c: order[c[0]])  # stable: columns keep contract order


def checked_select(
    entity: Entity, time_zone: str, source: str, file_path: str, text_sql: str
) -> str:
    """A SELECT over `source` (v_<col>, __line, __malformed and whatever `text_sql` needs)
    giving __line, t_<col> typed values, __code (NULL when the record is fine), __reason
    and __text (the original record; only for bad records)."""
    typed = ",\n            ".join(
        [f"{typed_sql(c, time_zone)} as t_{c.name}" for c in entity.columns]
        + [
            f"{value_sql(vocabulary(c.vocabulary), raw(c))} as k_{c.name}"
            for c in entity.columns
            if c.vocabulary
        ]
    )
    checks = _checks(entity, time_zone)
    code = "case " + " ".join(f"when {cond} then {sql_str(k)}" for k, cond, _ in checks) + " end"
    message = "case " + " ".join(f"when {cond} then {msg}" for _, cond, msg in checks) + " end"
    where = sql_str(f"{file_path} line ")
    return f"""
select
    __line,
    {", ".join(f"t_{c.name}" for c in entity.columns)},
    __code,
    case when __code is not null then {where} || __line || ': ' || __message end as __reason,
    case when __code is not null then {text_sql} end as __text
from (
    select
        *,
        {code} as __code,
        {message} as __message
    from (
        select
            *,
            {typed}
        from {source}
    )
)
"""
