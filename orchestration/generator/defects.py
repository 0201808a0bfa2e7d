"""Bad rows: copies of valid records with exactly one breach of the landing contract.

A bad row is always an extra copy, so the valid data (and the ground truth about people)
is the same whether or not the loader quarantines it correctly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..loader.contract import ENTITIES_BY_NAME
from .chunk import Chunk
from .formats import format_bad_ts, format_ts
from .output import json_line
from .timeline import HOUR

RATE = 0.003  # share of rows per defect class
MINIMUM_IN_FIRST_CHUNK = 3


def _col(entity: str, name: str) -> int:
    return ENTITIES_BY_NAME[entity].column_names.index(name)


def _set(entity: str, column: str, value: Callable[[Chunk, list[str]], str]) -> Callable:
    index = _col(entity, column)

    def apply(chunk: Chunk, row: list[str]) -> list[str] | None:
        copy = list(row)
        copy[index] = value(chunk, row)
        return copy

    return apply


def _bad_ts(chunk: Chunk, _: list[str]) -> str:
    return format_bad_ts(chunk.timeline.start + chunk.dice.below(10**7), chunk.dice.below(4))


def _malformed_csv(chunk: Chunk, row: list[str]) -> list[str] | None:
    if any("\n" in value for value in row):
        return None
    if chunk.dice.chance(0.5):
        return row[:-2]  # a truncated line
    return [*row, "extra"]  # an unquoted comma in a free-text field


def _negative(value: str) -> str:
    return "-" + value if not value.startswith("-") else value


def _response_before_open(chunk: Chunk, row: list[str]) -> list[str] | None:
    entity = "crm_tickets"
    target = _col(entity, "first_response_at")
    if not row[target]:
        return None
    opened = row[_col(entity, "opened_at")]
    seconds = _parse(opened)
    copy = list(row)
    copy[target] = format_ts(seconds - HOUR - chunk.dice.below(20 * HOUR), 0)
    resolved = _col(entity, "resolved_at")
    if copy[resolved]:
        copy[resolved] = ""  # only one breach: no resolved_at to compare
    return copy


def _parse(text: str) -> int:
    import datetime as dt

    value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp())


def _out_of_range(chunk: Chunk, row: list[str]) -> str:
    kind = row[_col("survey_responses", "survey_type")]
    above = {"nps": "11", "csat": "6", "ces": "8"}[kind]
    below = {"nps": "-1", "csat": "0", "ces": "0"}[kind]
    return above if chunk.dice.chance(0.6) or kind == "nps" else below


def _web(field: str, value: Callable[[Chunk], Any]) -> Callable:
    def apply(chunk: Chunk, event: dict[str, Any]) -> dict[str, Any]:
        copy = dict(event)
        copy[field] = value(chunk)
        return copy

    return apply


def _malformed_json(chunk: Chunk, event: dict[str, Any]) -> str:
    line = json_line(event)
    return line[: 20 + chunk.dice.below(len(line) - 40)]


CU, OR, TI, SU = "crm_customers", "crm_orders", "crm_tickets", "survey_responses"
DEFECTS: dict[str, dict[str, Callable]] = {
    CU: {
        "missing_required": _set(CU, "created_at", lambda c, r: ""),
        "bad_timestamp": _set(CU, "updated_at", _bad_ts),
        "bad_boolean": _set(CU, "marketing_opt_in", lambda c, r: c.dice.pick(("si", "maybe", "Y"))),
        "malformed_record": _malformed_csv,
    },
    OR: {
        "missing_required": _set(OR, "status", lambda c, r: ""),
        "bad_timestamp": _set(OR, "ordered_at", _bad_ts),
        "bad_number": _set(OR, "amount", lambda c, r: c.dice.pick(("12,50 EUR", "1O5.00", "abc"))),
        "negative_value": _set(OR, "amount", lambda c, r: _negative(r[_col(OR, "amount")])),
        "malformed_record": _malformed_csv,
    },
    TI: {
        "missing_required": _set(TI, "opened_at", lambda c, r: ""),
        "bad_timestamp": _set(TI, "opened_at", _bad_ts),
        "bad_number": _set(TI, "agent_replies", lambda c, r: c.dice.pick(("two", "n.a."))),
        "negative_value": _set(TI, "reopened_count", lambda c, r: "-1"),
        "response_before_open": _response_before_open,
        "malformed_record": _malformed_csv,
    },
    SU: {
        "missing_required": _set(SU, "submitted_at", lambda c, r: ""),
        "bad_timestamp": _set(SU, "submitted_at", _bad_ts),
        "bad_number": _set(SU, "score", lambda c, r: c.dice.pick(("sette", "dieci"))),
        "score_out_of_range": _set(SU, "score", _out_of_range),
        "unknown_survey_type": _set(
            SU, "survey_type", lambda c, r: c.dice.pick(("csat5", "rating"))
        ),
        "malformed_record": _malformed_csv,
    },
    "web_events": {
        "missing_required": _web("event_type", lambda c: None),
        "bad_timestamp": _web("event_at", lambda c: _bad_ts(c, [])),
        "malformed_record": _malformed_json,
        # a word neither listed nor a synonym in seeds/vocabulary.csv (sorted last of the
        # event defects, so the draws of every other defect stay as they were)
        "unknown_value": _web("event_type", lambda c: c.dice.pick(("app_crash", "tap_banner"))),
    },
}


def inject_defects(chunk: Chunk) -> None:
    """Add bad copies of randomly chosen valid records, ~RATE of the rows per class."""
    dice = chunk.dice
    for entity in sorted(DEFECTS):
        valid = [
            (batch, record) for batch, record in chunk.out.of_entity(entity) if record[3] is None
        ]
        if not valid:
            continue
        for reason in sorted(DEFECTS[entity]):
            wanted = int(dice.u() < (len(valid) * RATE) % 1) + int(len(valid) * RATE)
            if chunk.index == 0:
                wanted = max(wanted, MINIMUM_IN_FIRST_CHUNK)
            made, tries = 0, 0
            while made < wanted and tries < 20 * wanted:
                tries += 1
                batch, (key, _, payload, _) = valid[dice.below(len(valid))]
                if (
                    reason == "negative_value"
                    and entity == OR
                    and float(payload[_col(OR, "amount")]) <= 0
                ):
                    continue
                if reason == "score_out_of_range" and not payload[_col(SU, "score")]:
                    continue
                bad = DEFECTS[entity][reason](chunk, payload)
                if bad is None:
                    continue
                chunk.out.add(entity, batch, key, bad, reason)
                made += 1
