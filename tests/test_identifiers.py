"""Identifier normalisation (orchestration/identifiers.py and the DuckDB functions the dbt
macros call): each kind of invisible difference and each phone spelling, over every
character or region that kind has, not only the examples of issue 17."""

from __future__ import annotations

import sys
import unicodedata

import duckdb
import phonenumbers
import pytest

from orchestration.identifiers import (
    normalize_identifier,
    normalize_phone,
    phone_region,
    register_functions,
)

# every character the contract trims at either end: whitespace and control characters
# (Unicode Cc, and the invisible format characters Cf such as a zero-width space)
TRIMMED = [
    chr(c)
    for c in range(sys.maxunicode + 1)
    if chr(c).isspace() or unicodedata.category(chr(c)) in {"Cc", "Cf", "Zs", "Zl", "Zp"}
]


def test_examples() -> None:
    # a tab, a line break, a no-break space, capitals, a sharp s, full-width letters
    assert normalize_identifier("ann@mail.it\t") == "ann@mail.it"
    assert normalize_identifier("ann@mail.it\r\n") == "ann@mail.it"
    assert normalize_identifier("\u00a0ANN@Mail.IT") == "ann@mail.it"
    assert normalize_identifier("Straße@Mail.DE") == "strasse@mail.de"
    assert normalize_identifier("ａｎｎ@mail.it") == "ann@mail.it"
    assert normalize_identifier("C123") == "c123"
    assert normalize_identifier(" \t ") is None
    assert normalize_identifier(None) is None


def test_every_whitespace_and_control_character_is_trimmed_at_either_end() -> None:
    assert len(TRIMMED) > 100  # the kind, not three examples
    for character in TRIMMED:
        for spelled in (character + "Ann@Mail.it", "Ann@Mail.it" + character):
            assert normalize_identifier(spelled) == "ann@mail.it", repr(character)
    # inside a value nothing is removed: 'a b' stays two words
    assert normalize_identifier("a\u00a0b") == "a b"


def test_case_folding_is_full_and_stable() -> None:
    """Every character that case-folds: the result is folded and normalising is idempotent
    (an identifier normalised twice compares equal to itself)."""
    folding = [chr(c) for c in range(0x20, 0x30000) if chr(c).casefold() != chr(c)]
    assert len(folding) > 1000
    for character in folding:
        value = normalize_identifier("x" + character + "y")
        assert value is not None
        assert normalize_identifier(value) == value, repr(character)
        assert value == normalize_identifier(("x" + character + "y").upper()), repr(character)


def test_sql_functions_equal_the_python_ones() -> None:
    """What the dbt macros run (ASCII fast path in SQL, the rest through the registered
    Python function) gives the Python result for each trimmed character and sample."""
    values = [c + "Ann@Mail.IT" for c in TRIMMED[:200]] + ["Straße", "ÅNGSTRÖM", "plain", None]
    with duckdb.connect() as con:
        register_functions(con)
        register_functions(con)  # idempotent
        rows = con.execute(
            """
            select value,
                case
                    when regexp_full_match(value, '[!-~]+') then lower(value)
                    else cxw_normalize_identifier(value)
                end
            from unnest(?::varchar[]) as t(value)
            """,
            [values],
        ).fetchall()
        phones = con.execute(
            "select cxw_phone_e164(v, 'IT') from unnest(?::varchar[]) as t(v)",
            [["+44 (0)20 7946 0321", "06 1234 5678", None, "12"]],
        ).fetchall()
    assert [sql for _, sql in rows] == [normalize_identifier(v) for v, _ in rows]
    assert phones == [("+442079460321",), ("+390612345678",), (None,), (None,)]


@pytest.mark.parametrize("region", sorted(phonenumbers.SUPPORTED_REGIONS))
def test_every_spelling_of_a_number_is_one_e164(region: str) -> None:
    """For each region's example number: international, with the trunk prefix in brackets
    (+44 (0)20 ...), '00' instead of '+', and national in its own region: one E.164."""
    number = phonenumbers.example_number(region)
    if number is None:
        pytest.skip(f"no example number for {region}")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    spellings = [e164, international, "00" + e164[1:], f" {international}\t"]
    prefix = phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix
    if prefix:
        code, rest = international.split(" ", 1)
        spellings.append(f"{code} ({prefix}){rest}")
    for spelled in spellings:
        assert normalize_phone(spelled, "IT") == e164, (region, spelled)
    assert normalize_phone(national, region) == e164, (region, national)


def test_invalid_numbers_do_not_normalise() -> None:
    for spelled in ("+39 0000 0000", "12", "+1 555", "not a phone", "", None):
        assert normalize_phone(spelled, "IT") is None, spelled


def test_default_region_accepts_a_region_or_a_calling_code() -> None:
    assert phone_region("IT") == phone_region("it") == phone_region("39") == "IT"
    assert phone_region("+44") == "GB"
    assert normalize_phone("020 7946 0321", "44") == "+442079460321"
    with pytest.raises(ValueError, match="default_phone_region"):
        phone_region("Italy")
