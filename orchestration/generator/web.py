"""Web analytics events: devices, sessions along the shop funnel, logins, typed emails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..constants import dbt_var
from . import vocab
from .chunk import Chunk
from .crm import Order
from .formats import TS_NAIVE, TS_OFFSET_1, TS_OFFSET_2, TS_Z, email_spelling, format_ts, uuid_like
from .people import Person
from .randomness import cumulative
from .timeline import DAY, MINUTE

DEVICE_CUM = cumulative(vocab.DEVICE_WEIGHTS)
# one minute more than the session timeout (dbt var session_timeout_minutes)
SESSION_GAP = (int(dbt_var("session_timeout_minutes")) + 1) * MINUTE
ANONYMOUS_SALT, EVENT_SALT = 1, 2
# (event type, seconds after the previous event, extra fields)
Step = tuple[str, int, dict[str, Any]]


@dataclass
class Device:
    anonymous_id: str
    device_type: str
    login_id: str | None  # customer_id used to log in; None: identified by a typed email
    email: str | None


@dataclass
class Session:
    start: int
    kind: str  # browse, search, help, purchase
    order: Order | None = None


def emit_person_web(chunk: Chunk, person: Person, orders: list[Order]) -> None:
    """Sessions on 1-3 devices; every device is tied to the person by a login or an email."""
    dice, timeline = chunk.dice, chunk.timeline
    if not dice.chance(0.72):
        return
    count = 1 if dice.chance(0.65) else 2 if dice.chance(0.7) else 3
    devices = [_device(chunk, person, d) for d in range(count)]
    purchases = [o for o in orders if o.channel in ("web", "app") and dice.chance(0.9)]
    for d, device in enumerate(devices):
        first_seen = max(timeline.start, person.created_at - int(dice.expo(20 * DAY)))
        if d:
            first_seen = int(dice.between(first_seen, timeline.end - DAY))
        sessions = [
            Session(int(dice.between(first_seen, timeline.end)), _kind(chunk))
            for _ in range(1 + dice.poisson(0.8))
        ]
        sessions += [
            Session(o.ordered_at, "purchase", o) for o in purchases if dice.below(count) == d
        ]
        if _emit_device(chunk, person, device, sessions, identify_after=dice.below(3)):
            chunk.add_identity(person, "anonymous_id", device.anonymous_id)


def emit_prospect_web(chunk: Chunk, person: Person) -> None:
    dice, timeline = chunk.dice, chunk.timeline
    device = Device(
        uuid_like(person.index * 4, ANONYMOUS_SALT),
        dice.weighted(vocab.DEVICE_TYPES, DEVICE_CUM),
        None,
        None,
    )
    first_seen = int(dice.between(timeline.start, timeline.end))
    sessions = [
        Session(int(dice.between(first_seen, timeline.end)), _kind(chunk))
        for _ in range(1 + dice.poisson(0.5))
    ]
    if _emit_device(chunk, person, device, sessions, identify_after=None):
        chunk.add_identity(person, "anonymous_id", device.anonymous_id)


def _device(chunk: Chunk, person: Person, number: int) -> Device:
    dice = chunk.dice
    anonymous_id = uuid_like(person.index * 4 + number, ANONYMOUS_SALT)
    device_type = dice.weighted(vocab.DEVICE_TYPES, DEVICE_CUM)
    if person.emails and dice.chance(0.3):
        return Device(anonymous_id, device_type, None, dice.pick(person.emails))
    login = (
        person.records[0].customer_id if dice.chance(0.8) else dice.pick(person.records).customer_id
    )
    return Device(anonymous_id, device_type, login, None)


def _kind(chunk: Chunk) -> str:
    roll = chunk.dice.u()
    return "browse" if roll < 0.58 else "search" if roll < 0.85 else "help"


def _emit_device(
    chunk: Chunk,
    person: Person,
    device: Device,
    sessions: list[Session],
    identify_after: int | None,
) -> bool:
    """Place non-overlapping sessions and emit their events; False when nothing was placed."""
    sessions.sort(key=lambda s: (s.start, s.kind))
    for attempt in range(2):
        events = _place(chunk, device, sessions, identify_after if attempt == 0 else 0)
        if events is None:
            continue
        for when_ms, event in events:
            _deliver(chunk, when_ms, event)
        return bool(events)
    return False


def _place(
    chunk: Chunk, device: Device, sessions: list[Session], identify_after: int | None
) -> list[tuple[int, dict[str, Any]]] | None:
    """Events of the sessions that fit; None when the device was never identified."""
    timeline = chunk.timeline
    anchors = [s.start for s in sessions if s.order]
    placed: list[tuple[int, dict[str, Any]]] = []
    previous_end, logged_in, identified, count = -(10**12), False, identify_after is None, 0
    for session in sessions:
        identify = not identified and (count >= (identify_after or 0) or session.order is not None)
        steps = _steps(chunk, session, device, identify, logged_in)
        duration = sum(step[1] for step in steps)
        start = session.start - duration + 5 if session.order else session.start
        next_anchor = min((a for a in anchors if a > session.start), default=timeline.end + 10**9)
        end = start + duration
        if start < max(previous_end + SESSION_GAP, timeline.start) or end >= timeline.end:
            continue
        if not session.order and end + SESSION_GAP > next_anchor - 3600:
            continue
        placed.extend(_events(chunk, device, steps, start, logged_in))
        logged_in = logged_in or (identify and device.login_id is not None)
        identified = identified or identify
        previous_end, count = end, count + 1
    return placed if identified or not placed else None


def _steps(
    chunk: Chunk, session: Session, device: Device, identify: bool, logged_in: bool
) -> list[Step]:
    dice = chunk.dice
    gap = lambda: 5 + int(min(dice.expo(55), 540))  # noqa: E731
    landing = dice.pick(vocab.CATEGORY_PAGES) if dice.chance(0.6) else "/"
    steps: list[Step] = [("page_view", 0, {"page": landing})]
    if identify and device.login_id is not None and not logged_in:
        steps.append(("login", gap(), {"page": "/login"}))
    if session.kind == "help":
        steps += [("help_center_view", gap(), {"page": dice.pick(vocab.HELP_PAGES)})]
        if dice.chance(0.4):
            steps.append(("help_center_view", gap(), {"page": dice.pick(vocab.HELP_PAGES)}))
        if dice.chance(0.3) or (identify and device.email):
            steps.append(("contact_form", gap(), {"page": "/contatti", "typed": True}))
        return steps
    if session.kind == "search":
        steps.append(("search", gap(), {"query": dice.pick(vocab.SEARCH_QUERIES)}))
    if identify and device.email and not session.order and session.kind != "help":
        steps.append(("signup", gap(), {"page": "/newsletter", "typed": True}))
    for _ in range(1 + dice.poisson(0.8) if session.kind != "search" or dice.chance(0.8) else 0):
        steps.append(("product_view", gap(), {"sku": f"SKU-{10000 + dice.below(5000)}"}))
    if session.order:
        steps += [
            ("add_to_cart", gap(), {"sku": f"SKU-{10000 + dice.below(5000)}"}),
            ("checkout_start", gap(), {"page": "/checkout", "typed": device.email is not None}),
            ("purchase", gap(), {"page": "/checkout/conferma", "order": session.order}),
        ]
        return steps
    if len(steps) > 1 and steps[-1][0] == "product_view" and dice.chance(0.28):
        steps.append(("add_to_cart", gap(), {"sku": steps[-1][2]["sku"]}))
        if dice.chance(0.35):
            steps.append(("checkout_start", gap(), {"page": "/checkout"}))
    return steps


def _events(
    chunk: Chunk, device: Device, steps: list[Step], start: int, logged_in: bool
) -> list[tuple[int, dict[str, Any]]]:
    dice = chunk.dice
    when, events = start, []
    campaign = dice.pick(vocab.CAMPAIGNS) if dice.chance(0.35) else (None, None, None)
    referrer = dice.pick(vocab.REFERRERS) if campaign[0] or dice.chance(0.3) else None
    for number, (event_type, delay, extra) in enumerate(steps):
        when += delay
        logged_in = logged_in or event_type == "login"
        millis = dice.below(1000)
        typed = None
        if device.email and extra.get("typed"):
            typed = email_spelling(device.email, dice.below(6))
        event = {
            "event_id": uuid_like(chunk.serial("event"), EVENT_SALT),
            "event_at": _web_ts(chunk, when, millis),
            "anonymous_id": device.anonymous_id,
            "user_id": device.login_id if logged_in else None,
            "email": typed,
            "event_type": event_type,
            "page_url": vocab.SITE + _page(event_type, extra),
            "referrer": referrer if number == 0 else None,
            "utm_source": campaign[0] if number == 0 else None,
            "utm_medium": campaign[1] if number == 0 else None,
            "utm_campaign": campaign[2] if number == 0 else None,
            "device_type": device.device_type,
            "order_id": extra["order"].order_id if "order" in extra else None,
            "properties": _properties(event_type, extra),
        }  # fmt: skip
        events.append((when * 1000 + millis, event))
    return events


def _page(event_type: str, extra: dict[str, Any]) -> str:
    if "page" in extra:
        return extra["page"]
    if "sku" in extra:
        return f"/p/{extra['sku'].lower()}" if event_type == "product_view" else "/carrello"
    return "/cerca?q=" + extra.get("query", "").replace(" ", "+")


def _properties(event_type: str, extra: dict[str, Any]) -> dict[str, Any]:
    if "order" in extra:
        order = extra["order"]
        return {"revenue": order.amount, "currency": order.currency or "EUR", "items": order.items}
    if "sku" in extra:
        return (
            {"sku": extra["sku"], "quantity": 1}
            if event_type == "add_to_cart"
            else {"sku": extra["sku"]}
        )
    if "query" in extra:
        return {"query": extra["query"]}
    return {}


def _web_ts(chunk: Chunk, seconds: int, millis: int) -> str:
    roll = chunk.dice.u()
    style = (
        TS_Z
        if roll < 0.85
        else TS_OFFSET_2
        if roll < 0.92
        else TS_OFFSET_1
        if roll < 0.95
        else TS_NAIVE
    )
    return format_ts(seconds, style, millis)


def _deliver(chunk: Chunk, when_ms: int, event: dict[str, Any]) -> None:
    """Into the batch of its time; a few arrive a batch late, a few are delivered twice."""
    dice, timeline = chunk.dice, chunk.timeline
    batch = timeline.batch_of(when_ms // 1000)
    if dice.chance(0.01):
        batch = min(batch + 1, timeline.batches - 1)
    chunk.out.add("web_events", batch, when_ms, event)
    chunk.counts["distinct:web_events"] += 1
    if dice.chance(0.004) or (chunk.index == 0 and chunk.counts["duplicate_events"] < 3):
        late = min(batch + dice.below(2), timeline.batches - 1)
        chunk.out.add("web_events", late, when_ms + 1000 * dice.below(3600), event)
        chunk.counts["duplicate_events"] += 1
