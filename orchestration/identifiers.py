"""Identifiers as the warehouse compares them (landing contract, "Encoding and types").

- Text identifiers (emails, CRM customer ids, web anonymous and user ids):
  `normalize_identifier` = Unicode NFKC, every whitespace and control character removed at
  either end, full case folding (Python's `str.casefold`: 'Straße' -> 'strasse', which
  SQL's lower() does not do), NFKC again (case folding can undo it); empty means None.
  Control characters are the Unicode categories Cc (tab, line break, NUL, ...) and Cf
  (invisible format characters: zero-width space, byte-order mark, ...); whitespace is
  what `str.isspace` says (no-break space, ideographic space, ...).
- Phone numbers: `normalize_phone` = E.164 ('+' then country code and national number) by
  libphonenumber's Python port `phonenumbers`, which knows each country's trunk prefix
  ('+44 (0)20 7946 0321' = '+44 20 7946 0321' = '+442079460321') and numbering plan.
  A number without an international prefix is read in the default region; a number
  `phonenumbers.is_valid_number` rejects is None (it never links people).

The dbt models call them as DuckDB functions (`register_functions`, called on every dbt
connection by the dbt-duckdb plugin `orchestration.dbt_plugin`; see
macros/normalize_identifier.sql and macros/normalize_phone.sql):

    cxw_normalize_identifier(value varchar) -> varchar           normalize_identifier
    cxw_phone_e164(value varchar, region varchar) -> varchar     normalize_phone

Both are Arrow (vectorised) functions: DuckDB hands over a batch of values, each distinct
value of the batch is normalised once (and cached across batches), and the result goes back
as one Arrow array. The evaluation and the tests call the same code, so all of them compare
identifiers the same way.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

import duckdb
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

# Unicode categories trimmed at either end besides whitespace: control and format characters.
_TRIMMED_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_CACHE_SIZE = 1 << 20


def _is_trimmed(character: str) -> bool:
    return character.isspace() or unicodedata.category(character) in _TRIMMED_CATEGORIES


def _strip(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_trimmed(text[start]):
        start += 1
    while end > start and _is_trimmed(text[end - 1]):
        end -= 1
    return text[start:end]


@functools.lru_cache(maxsize=_CACHE_SIZE)
def normalize_identifier(value: str | None) -> str | None:
    """A text identifier as compared: NFKC, trimmed of whitespace and control characters at
    either end, case-folded; None for None or a value that is empty after trimming.

    >>> normalize_identifier(" Anna.Straße@Example.COM\\t")
    'anna.strasse@example.com'
    """
    if value is None:
        return None
    text = _strip(unicodedata.normalize("NFKC", value))
    text = unicodedata.normalize("NFKC", text.casefold())
    return text or None


def phone_region(default: str | None) -> str:
    """The phonenumbers region of a default-country setting: a region code ('IT', 'gb')
    as it is, or a country calling code ('39', '+44') as its main region.

    Raises ValueError for anything else, naming the value (dbt var default_phone_region)."""
    text = (default or "").strip().lstrip("+")
    if text.isdigit():
        region = phonenumbers.region_code_for_country_code(int(text))
    else:
        region = text.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(
            f"default phone region {default!r} is neither an ISO 3166-1 alpha-2 region that "
            "phonenumbers knows (e.g. 'IT') nor a country calling code (e.g. '39'): set the dbt "
            "var default_phone_region"
        )
    return region


@functools.lru_cache(maxsize=_CACHE_SIZE)
def normalize_phone(value: str | None, default_region: str = "IT") -> str | None:
    """A phone number as E.164 ('+390612345678'), or None when it is missing, unparseable
    or not a valid number (libphonenumber metadata) in its region.

    `default_region` reads numbers without an international prefix ('06 1234 5678'); a
    leading '00' is read as the international prefix even where the region dials another
    one ('0044 20 7946 0321' from the US).
    """
    text = normalize_identifier(value)
    if text is None:
        return None
    region = phone_region(default_region)
    candidates = [text]
    if text.startswith("00") and not text.startswith("000"):
        candidates.append("+" + text[2:])
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def _distinct_map(values: pa.Array | pa.ChunkedArray, function: Callable) -> pa.Array:
    """`function` applied to each distinct value of `values` once, spread back in place."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
    mapped = pa.array([function(v) for v in encoded.dictionary.to_pylist()], type=pa.string())
    return pc.take(mapped, encoded.indices)


def _identifier_batch(values: pa.Array) -> pa.Array:
    return _distinct_map(values, normalize_identifier)


def _phone_batch(values: pa.Array, regions: pa.Array) -> pa.Array:
    distinct_regions = pc.unique(regions).drop_null().to_pylist()
    if len(distinct_regions) <= 1:
        region = phone_region(distinct_regions[0] if distinct_regions else None)
        return _distinct_map(values, lambda v: normalize_phone(v, region))
    # several regions in one batch (a per-row region): row by row, still cached
    pairs = zip(values.to_pylist(), regions.to_pylist(), strict=True)
    return pa.array([normalize_phone(v, phone_region(r)) for v, r in pairs], type=pa.string())


def register_functions(connection: duckdb.DuckDBPyConnection) -> None:
    """Register cxw_normalize_identifier and cxw_phone_e164 on `connection` (idempotent)."""
    varchar = duckdb.sqltype("VARCHAR")
    registered = {
        row[0]
        for row in connection.execute(
            "select function_name from duckdb_functions() "
            "where function_name in ('cxw_normalize_identifier', 'cxw_phone_e164')"
        ).fetchall()
    }
    if "cxw_normalize_identifier" not in registered:
        connection.create_function(
            "cxw_normalize_identifier",
            _identifier_batch,
            [varchar],
            varchar,
            type="arrow",
            null_handling="special",
            side_effects=False,
        )
    if "cxw_phone_e164" not in registered:
        connection.create_function(
            "cxw_phone_e164",
            _phone_batch,
            [varchar, varchar],
            varchar,
            type="arrow",
            null_handling="special",
            side_effects=False,
        )
