"""CRM extracts: customer versions, order versions and ticket versions of one person."""

from __future__ import annotations

from dataclasses import dataclass

from . import vocab
from .chunk import Chunk
from .formats import email_spelling, phone_spelling
from .people import Person
from .randomness import cumulative
from .timeline import DAY, HOUR, MINUTE

OPT_IN_SPELLINGS = (("true", "false"), ("1", "0"), ("yes", "no"), ("True", "False"))
ORDER_CHANNEL_CUM = cumulative(vocab.ORDER_CHANNEL_WEIGHTS)
TICKET_CHANNEL_CUM = cumulative(vocab.TICKET_CHANNEL_WEIGHTS)
CATEGORY_CUM = cumulative(vocab.TICKET_CATEGORY_WEIGHTS)
PRIORITY_CUM = cumulative(vocab.PRIORITY_WEIGHTS)
# mean hours to the first agent reply, by ticket channel
FIRST_RESPONSE_HOURS = {
    "email": 9.0, "phone": 0.0, "chat": 0.1, "social": 3.0,
    "store": 0.0, "web_form": 12.0, "self_service": 20.0,
}  # fmt: skip


@dataclass
class Order:
    order_id: str
    customer_id: str
    ordered_at: int
    channel: str
    amount: float
    currency: str
    items: int
    delivered_at: int | None


@dataclass
class Ticket:
    ticket_id: str
    customer_id: str
    contact_email: str
    opened_at: int
    resolved_at: int | None
    agent_replies: int


def emit_customers(chunk: Chunk, person: Person) -> None:
    dice, timeline = chunk.dice, chunk.timeline
    for record in person.records:
        opt_in = dice.chance(0.45)
        spelling = dice.pick(OPT_IN_SPELLINGS)
        email, phone, city = record.email, record.phone, record.city
        changed_at = record.created_at
        for version in range(1 + _update_count(chunk)):
            if version:
                low = max(changed_at, timeline.start)
                changed_at = int(dice.between(low, timeline.end - 1))
                email, phone, city, opt_in = _changed(chunk, person, email, phone, city, opt_in)
            opt_text = "" if dice.chance(0.04) else spelling[0 if opt_in else 1]
            row = [
                record.customer_id, email, phone, person.first_name, person.last_name,
                person.country if dice.chance(0.9) else person.country.lower(), city,
                record.signup_channel, chunk.ts(record.created_at), chunk.ts(changed_at), opt_text,
            ]  # fmt: skip
            chunk.out.add("crm_customers", timeline.batch_of(changed_at), changed_at, row)
            chunk.counts["distinct:crm_customers"] += version == 0


def _update_count(chunk: Chunk) -> int:
    roll = chunk.dice.u()
    return 0 if roll < 0.65 else 1 if roll < 0.9 else 2


def _changed(
    chunk: Chunk, person: Person, email: str, phone: str, city: str, opt_in: bool
) -> tuple[str, str, str, bool]:
    """A later version: opt-in, city or the spelling (never the value) of email / phone."""
    dice = chunk.dice
    what = dice.below(4)
    if what == 0:
        return email, phone, city, not opt_in
    if what == 1:
        return email, phone, dice.pick(vocab.CITIES[person.country]), opt_in
    if what == 2 and email and "@" in email and email.strip().lower() in person.emails:
        return email_spelling(email.strip().lower(), dice.below(6)), phone, city, opt_in
    if phone and person.phones and phone.replace(" ", "") != "" and _is_own(person, phone):
        code, national = _split_phone(person.phones[0])
        return email, phone_spelling(code, national, dice.below(6)), city, opt_in
    return email, phone, city, not opt_in


def _is_own(person: Person, phone: str) -> bool:
    from .formats import normalise_phone

    return normalise_phone(phone) == person.phones[0]


def _split_phone(e164: str) -> tuple[str, str]:
    for code in ("39", "49", "33", "34", "44", "41", "1"):
        if e164.startswith("+" + code):
            return code, e164[1 + len(code) :]
    raise ValueError(f"unexpected phone {e164}")


def emit_orders(chunk: Chunk, person: Person) -> list[Order]:
    dice, timeline = chunk.dice, chunk.timeline
    active_from = max(person.created_at, timeline.start)
    share = (timeline.end - active_from) / max(timeline.end - timeline.start, DAY)
    count = dice.poisson(dice.gamma(0.9, 2.8) * share)
    preferred = person.signup_channel if person.signup_channel in vocab.ORDER_CHANNELS else "web"
    orders = []
    for _ in range(count):
        record = person.records[0] if dice.chance(0.75) else dice.pick(person.records)
        ordered_at = int(dice.between(max(active_from, record.created_at), timeline.end - 1))
        channel = (
            preferred
            if dice.chance(0.6)
            else dice.weighted(vocab.ORDER_CHANNELS, ORDER_CHANNEL_CUM)
        )
        items = 1 + dice.poisson(0.8)
        amount = round(max(1.0, dice.expo(1.0) ** 0.7 * 38.0 * items + 4.9), 2)
        currency = person.currency if dice.chance(0.95) else ""
        order = Order(
            chunk.new_id("O"),
            record.customer_id,
            ordered_at,
            channel,
            amount,
            currency,
            items,
            None,
        )
        _emit_order_versions(chunk, order)
        orders.append(order)
    return orders


def _order_events(chunk: Chunk, order: Order) -> list[tuple[int, str]]:
    dice, t = chunk.dice, order.ordered_at
    events = [(t, "paid" if order.channel in ("web", "app", "marketplace") else "placed")]
    if dice.chance(0.07):
        return [*events, (t + int(dice.between(10 * MINUTE, 2 * DAY)), "cancelled")]
    if events[0][1] == "placed":
        events.append((t + int(dice.between(MINUTE, 6 * HOUR)), "paid"))
    if order.channel == "store":
        delivered = events[-1][0]
        events = [(t, "delivered")]
    else:
        shipped = events[-1][0] + int(dice.between(6 * HOUR, 3 * DAY))
        delivered = shipped + int(dice.between(DAY, 5 * DAY))
        events += [(shipped, "shipped"), (delivered, "delivered")]
    order.delivered_at = delivered
    if dice.chance(0.07):
        events.append((delivered + int(dice.between(2 * DAY, 25 * DAY)), "returned"))
    return events


def _emit_order_versions(chunk: Chunk, order: Order) -> None:
    """One version per batch in which the order changed: its state at the last change."""
    timeline = chunk.timeline
    events = [e for e in _order_events(chunk, order) if e[0] < timeline.end]
    if order.delivered_at is not None and order.delivered_at >= timeline.end:
        order.delivered_at = None
    last_per_batch: dict[int, tuple[int, str]] = {}
    for when, status in events:
        last_per_batch[timeline.batch_of(when)] = (when, status)
    with_updated_at = chunk.dice.chance(0.97)
    for batch, (when, status) in sorted(last_per_batch.items()):
        row = [
            order.order_id, order.customer_id, chunk.ts(order.ordered_at), order.channel, status,
            order.currency, f"{order.amount:.2f}", str(order.items),
            chunk.ts(when) if with_updated_at else "",
        ]  # fmt: skip
        chunk.out.add("crm_orders", batch, when, row)
    chunk.counts["distinct:crm_orders"] += 1


def emit_tickets(chunk: Chunk, person: Person, orders: list[Order]) -> list[Ticket]:
    dice, timeline = chunk.dice, chunk.timeline
    active_from = max(person.created_at, timeline.start)
    count = dice.poisson(0.3 + 0.12 * len(orders))
    tickets = []
    for _ in range(count):
        order = dice.pick(orders) if orders and dice.chance(0.6) else None
        opened = (
            order.ordered_at + int(dice.between(HOUR, 10 * DAY))
            if order
            else int(dice.between(active_from, timeline.end - 1))
        )
        if opened >= timeline.end:
            continue
        tickets.append(_emit_ticket(chunk, person, opened, order))
    return tickets


def _ticket_contact(chunk: Chunk, person: Person, channel: str) -> tuple[str, str]:
    """(customer_id, contact_email): some tickets carry only the email."""
    dice = chunk.dice
    record = dice.pick(person.records)
    if person.emails and dice.chance(0.15):
        return "", email_spelling(dice.pick(person.emails), dice.below(6))
    if channel in ("email", "web_form", "chat", "social") and record.email:
        return record.customer_id, record.email
    return record.customer_id, ""


def _emit_ticket(chunk: Chunk, person: Person, opened: int, order: Order | None) -> Ticket:
    dice, timeline = chunk.dice, chunk.timeline
    channel = dice.weighted(vocab.TICKET_CHANNELS, TICKET_CHANNEL_CUM)
    category = dice.weighted(vocab.TICKET_CATEGORIES, CATEGORY_CUM)
    if order and category not in ("delivery", "returns", "payment"):
        category = "delivery"
    priority = dice.weighted(vocab.PRIORITIES, PRIORITY_CUM)
    customer, contact = _ticket_contact(chunk, person, channel)
    ticket_id = chunk.new_id("T")
    speed = 0.3 if priority == "urgent" else 1.0
    first_response = opened + int(dice.expo(FIRST_RESPONSE_HOURS[channel] * HOUR * speed))
    one_touch = dice.chance(0.6 if channel in ("phone", "chat", "store") else 0.42)
    replies = 1 if one_touch else 2 + dice.poisson(1.3)
    resolved = (
        first_response + int(dice.expo(6 * HOUR * replies)) if not one_touch else first_response
    )
    reopened = not one_touch and dice.chance(0.12)
    # (when, status, first response shown, resolved_at shown, replies, reopened_count)
    states: list[tuple[int, str, int | None, int | None, int, int]] = [
        (opened, "new", None, None, 0, 0),
        (first_response, "open" if replies > 1 else "solved", first_response,
         None if replies > 1 else resolved, 1, 0),
    ]  # fmt: skip
    if replies > 1:
        states.append((resolved, "solved", first_response, resolved, replies - reopened, 0))
    final_resolved = resolved
    if reopened:
        again = resolved + int(dice.between(6 * HOUR, 3 * DAY))
        final_resolved = again + int(dice.expo(12 * HOUR))
        states.append((again, "open", first_response, None, replies - 1, 1))
        states.append((final_resolved, "solved", first_response, final_resolved, replies, 1))
    states.append(
        (final_resolved + 4 * DAY, "closed", first_response, final_resolved, replies, int(reopened))
    )
    states = [s for s in states if s[0] < timeline.end]
    last_per_batch: dict[int, tuple[int, str, int | None, int | None, int, int]] = {}
    for state in states:
        last_per_batch[timeline.batch_of(state[0])] = state
    for batch, (when, status, responded, solved, count, reopen) in sorted(last_per_batch.items()):
        row = [
            ticket_id, customer, contact, channel, category, priority, chunk.ts(opened),
            chunk.ts(responded) if responded is not None else "",
            chunk.ts(solved) if solved is not None else "",
            status, str(count), str(reopen), chunk.ts(when),
        ]  # fmt: skip
        chunk.out.add("crm_tickets", batch, when, row)
    chunk.counts["distinct:crm_tickets"] += 1
    is_resolved = states[-1][1] in ("solved", "closed")
    return Ticket(
        ticket_id, customer, contact, opened, final_resolved if is_resolved else None, replies
    )
