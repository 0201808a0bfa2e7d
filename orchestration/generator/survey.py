"""Survey answers after onboarding, purchase, delivery, support and renewal."""

from __future__ import annotations

from . import vocab
from .chunk import Chunk
from .crm import Order, Ticket
from .formats import email_spelling
from .people import Person
from .randomness import cumulative
from .timeline import DAY, HOUR, MINUTE

CHANNEL_CUM = cumulative(vocab.SURVEY_CHANNEL_WEIGHTS)
# score distributions (index = score - lowest) for a neutral experience
NPS_CUM = cumulative((3, 1, 1, 2, 2, 4, 5, 9, 14, 22, 37))
CSAT_CUM = cumulative((5, 6, 14, 35, 40))
CES_CUM = cumulative((3, 4, 6, 10, 20, 30, 27))
SCALES = {"nps": (0, NPS_CUM), "csat": (1, CSAT_CUM), "ces": (1, CES_CUM)}


def emit_surveys(chunk: Chunk, person: Person, orders: list[Order], tickets: list[Ticket]) -> None:
    dice, timeline = chunk.dice, chunk.timeline
    if person.created_at >= timeline.start and dice.chance(0.35):
        kind = "ces" if dice.chance(0.6) else "csat"
        _answer(
            chunk, person, "onboarding", kind, person.created_at + int(dice.between(HOUR, 7 * DAY))
        )
    for order in orders:
        if dice.chance(0.12):
            _answer(
                chunk,
                person,
                "purchase",
                "csat",
                order.ordered_at + int(dice.between(HOUR, 2 * DAY)),
                order.order_id,
            )
        if order.delivered_at and dice.chance(0.14):
            kind = "csat" if dice.chance(0.5) else "nps"
            _answer(
                chunk,
                person,
                "delivery",
                kind,
                order.delivered_at + int(dice.between(HOUR, 3 * DAY)),
                order.order_id,
            )
    for ticket in tickets:
        if ticket.resolved_at and dice.chance(0.4):
            kind = "csat" if dice.chance(0.6) else "ces"
            mood = 1.0 if ticket.agent_replies == 1 else -1.0
            when = ticket.resolved_at + int(dice.between(HOUR, 2 * DAY))
            _answer(chunk, person, "support", kind, when, ticket.ticket_id, mood)
    anniversary = person.created_at + 365 * DAY
    while anniversary < timeline.start:
        anniversary += 365 * DAY
    if anniversary < timeline.end and dice.chance(0.15):
        _answer(chunk, person, "renewal", "nps", anniversary + int(dice.between(0, 10 * DAY)))
    if dice.chance(0.3):
        touchpoint = dice.pick(("website", "app", "store", "billing"))
        low = max(person.created_at, timeline.start)
        _answer(chunk, person, touchpoint, "nps", int(dice.between(low, timeline.end)))


def _score(chunk: Chunk, kind: str, mood: float) -> int:
    lowest, cum = SCALES[kind]
    draw = chunk.dice.weighted(range(len(cum)), cum)
    shift = round(mood * chunk.dice.u() * (len(cum) / 4))
    return lowest + min(max(draw + shift, 0), len(cum) - 1)


def _comment(chunk: Chunk, person: Person) -> tuple[str, str]:
    dice = chunk.dice
    language = "it" if person.language == "it" else "en"
    if (chunk.counts["multiline_comments"] < 3 and chunk.index == 0) or dice.chance(0.004):
        chunk.counts["multiline_comments"] += 1
        text = dice.pick(vocab.MULTILINE_COMMENTS)
        return text, "it" if text.startswith(("Ordine", "Prima")) else "en"
    return dice.pick(vocab.COMMENTS[language]), language


def _answer(
    chunk: Chunk,
    person: Person,
    touchpoint: str,
    kind: str,
    when: int,
    related: str = "",
    mood: float = 0.0,
) -> None:
    dice, timeline = chunk.dice, chunk.timeline
    if when >= timeline.end:
        return
    record = dice.pick(person.records)
    roll = dice.u()
    if person.emails and roll < 0.15:
        customer, email = "", email_spelling(dice.pick(person.emails), dice.below(6))
    elif person.emails and roll < 0.8:
        customer, email = (
            record.customer_id,
            email_spelling(dice.pick(person.emails), dice.below(6)),
        )
    else:
        customer, email = record.customer_id, ""
    score = "" if dice.chance(0.06) else str(_score(chunk, kind, mood))
    comment, language = ("", person.language)
    if dice.chance(0.3):
        comment, language = _comment(chunk, person)
    channel = (
        "in_store" if touchpoint == "store" else dice.weighted(vocab.SURVEY_CHANNELS, CHANNEL_CUM)
    )
    response_id = chunk.new_id("R")
    survey_id = f"{kind}_{touchpoint}_v{1 + (when // (180 * DAY)) % 3}"
    row = [
        response_id, survey_id, kind, chunk.ts(when), customer, email, touchpoint, channel,
        score, comment, language, related,
    ]  # fmt: skip
    chunk.out.add("survey_responses", timeline.batch_of(when), when, row)
    chunk.counts["distinct:survey_responses"] += 1
    if dice.chance(0.006) or (chunk.index == 0 and chunk.counts["duplicate_responses"] < 3):
        again = when + int(dice.between(MINUTE, 30 * MINUTE))
        if again < timeline.end:
            copy = list(row)
            copy[3] = chunk.ts(again)
            if copy[8] and dice.chance(0.5):
                copy[8] = str(_score(chunk, kind, mood))
            chunk.out.add("survey_responses", timeline.batch_of(again), again, copy)
            chunk.counts["duplicate_responses"] += 1
