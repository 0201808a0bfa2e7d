"""How values are spelled in the extracts: ids, timestamps, emails, phone numbers.

Also the normalisations the ground truth uses, which give the values the warehouse's
macros `normalize_identifier` and `normalize_phone` (libphonenumber, default region IT)
give for every spelling written here (tests/test_generator.py checks it):

- email: trim spaces, lower case;
- phone: a value starting with '+' keeps its digits; digits starting with '00' then 1-9
  are international ('00' is dropped); anything else gets the default country code.
"""

from __future__ import annotations

import datetime as dt
import re

DEFAULT_COUNTRY_CODE = "39"
_NON_DIGITS = re.compile(r"[^0-9]")
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_DAY_CACHE: dict[int, str] = {}

# Timestamp spellings: 'Z', a '+01:00'/'+02:00' offset, or naive (read as UTC).
TS_Z, TS_OFFSET_1, TS_OFFSET_2, TS_NAIVE = 0, 1, 2, 3


def normalise_email(value: str) -> str:
    return value.strip(" ").lower()


def normalise_phone(value: str, default_country_code: str = DEFAULT_COUNTRY_CODE) -> str:
    digits = _NON_DIGITS.sub("", value)
    if value.lstrip().startswith("+"):
        return "+" + digits
    if re.match(r"00[1-9]", digits):
        return "+" + digits[2:]
    return "+" + default_country_code + digits


def scramble(index: int, modulus: int, salt: int = 0) -> int:
    """A random-looking bijection of [0, modulus), modulus a power of 10 (ids stay unique).

    A 4-round Feistel network over two halves of an even number of digits, walking the
    cycle until the value falls below modulus when the number of digits is odd.
    """
    digits = len(str(modulus)) - 1
    half = 10 ** ((digits + 1) // 2)
    value = index
    while True:
        left, right = divmod(value, half)
        for round_ in range(4):
            left, right = right, (left + mix64(right * 8 + round_ + (salt << 48))) % half
        value = left * half + right
        if value < modulus:
            return value


def mix64(value: int) -> int:
    """splitmix64's finaliser: a bijection of 64-bit integers that looks random."""
    z = (value + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


def uuid_like(index: int, salt: int) -> str:
    """A unique (index -> value is injective) id spelled like a UUID."""
    hi = mix64(index ^ (salt << 56))
    lo = mix64(hi ^ salt)
    h = f"{hi:016x}{lo:016x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"


def _day(day_index: int) -> str:
    text = _DAY_CACHE.get(day_index)
    if text is None:
        text = dt.date.fromordinal(_EPOCH_ORDINAL + day_index).isoformat()
        _DAY_CACHE[day_index] = text
    return text


def format_ts(seconds: int, style: int, millis: int | None = None) -> str:
    """An ISO-8601 spelling of the UTC instant `seconds` (epoch) in one of the styles."""
    offset = 3600 if style == TS_OFFSET_1 else 7200 if style == TS_OFFSET_2 else 0
    local = seconds + offset
    day, rest = divmod(local, 86400)
    hour, rest = divmod(rest, 3600)
    minute, second = divmod(rest, 60)
    frac = f".{millis:03d}" if millis is not None else ""
    sep = " " if style == TS_NAIVE else "T"
    text = f"{_day(day)}{sep}{hour:02d}:{minute:02d}:{second:02d}{frac}"
    if style == TS_Z:
        return text + "Z"
    if style == TS_NAIVE:
        return text
    return text + ("+01:00" if style == TS_OFFSET_1 else "+02:00")


def format_bad_ts(seconds: int, variant: int) -> str:
    """A timestamp that is not ISO-8601 (European day-first spelling, or free text)."""
    if variant % 2:
        return "n.d."
    day, rest = divmod(seconds, 86400)
    y, m, d = _day(day).split("-")
    return f"{d}/{m}/{y} {rest // 3600:02d}:{rest % 3600 // 60:02d}"


def epoch_seconds(day: dt.date) -> int:
    return (day.toordinal() - _EPOCH_ORDINAL) * 86400


def phone_spelling(country_code: str, national: str, variant: int) -> str:
    """One of several spellings of a number; all normalise to +<cc><national>."""
    if country_code != DEFAULT_COUNTRY_CODE:
        spellings = (
            f"+{country_code} {national[:3]} {national[3:]}",
            f"00{country_code} {national}",
            f"+{country_code}{national}",
        )
        return spellings[variant % len(spellings)]
    spellings = (
        f"+39 {national[:3]} {national[3:6]} {national[6:]}",
        f"+39{national}",
        f"0039 {national[:3]} {national[3:]}",
        f"{national[:3]} {national[3:6]} {national[6:]}",
        f"{national[:3]}-{national[3:6]}-{national[6:]}",
        national,
    )
    return spellings[variant % len(spellings)]


def email_spelling(email: str, variant: int) -> str:
    """The same address with a different case or surrounding spaces."""
    local, domain = email.split("@")
    spellings = (
        email,
        email,
        email.upper(),
        f"{local.title()}@{domain.capitalize()}",
        f" {email} ",
        f"{email} ",
    )
    return spellings[variant % len(spellings)]
