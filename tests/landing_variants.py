"""A small hand-made landing, and the same landing with one input taken away: an entity,
an optional column, a survey type or an event type (issue 17 section 1: no input is
required).

The sample is designed so that what each input feeds is known exactly (see
`tests/test_absent_inputs.py`, which states it per input and checks it):

- identities are consistent: every CRM record has its own email and phone, tickets, survey
  answers and web events name one CRM customer each, every event of a customer's session
  carries the user_id (as Segment does once a visitor is known). No drop can merge or split
  two CRM customers, so the order KPIs never depend on identity;
- `as_of` is held in two required columns of two entities (customer C5's `updated_at` and
  order O7's `ordered_at`, both AS_OF): no single drop moves it;
- versions are written in the order they happened, so without `updated_at` the landing
  contract's tie rule (the later line wins) picks the same version;
- every web session has a page_view and at least one other event, one minute apart, so no
  event type's absence removes or splits a session;
- every order is in EUR, the contract's default currency.

Timestamps are naive ISO-8601 (UTC, the default zone of every source). CSV for the CRM and
survey entities, JSON lines for web events, as the sources export them. The full sample
and every variant go through the same writer, so a run on a variant differs from the run on
the full sample by the dropped input alone.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from orchestration.loader.contract import ENTITIES, SURVEY_SCALES

AS_OF = "2026-06-30T12:00:00"
EVENT_TYPES = (
    "page_view", "product_view", "search", "add_to_cart", "checkout_start", "purchase",
    "signup", "login", "help_center_view", "contact_form",
)  # fmt: skip


@dataclass(frozen=True)
class Drop:
    """One input taken away from the landing.

    kind: 'entity' (value: raw table name), 'column' (value: 'table.column', an optional
    column absent from every file), 'survey_type' or 'event_type' (value: the type).
    """

    kind: str
    value: str

    @property
    def case_id(self) -> str:
        return f"{self.kind}:{self.value}"


def every_drop() -> list[Drop]:
    """Each entity, each optional column, each survey type and each event type, in turn."""
    drops = [Drop("entity", entity.name) for entity in ENTITIES]
    drops += [
        Drop("column", f"{entity.name}.{column.name}")
        for entity in ENTITIES
        for column in entity.columns
        if not column.required
    ]
    drops += [Drop("survey_type", survey_type) for survey_type in SURVEY_SCALES]
    drops += [Drop("event_type", event_type) for event_type in EVENT_TYPES]
    return drops


# --------------------------------------------------------------------------- the sample


def _customers() -> list[dict]:
    rows = []
    for n in range(1, 6):
        rows.append(
            {
                "customer_id": f"C{n}",
                "email": f"c{n}@example.com",
                "phone": f"+39 06 5550 000{n}",
                "first_name": f"Name{n}",
                "last_name": f"Surname{n}",
                "country": "IT",
                "city": "Milano" if n == 2 else "Roma",
                "signup_channel": "web" if n % 2 else "app",
                "created_at": f"2026-01-0{n}T09:00:00",
                "updated_at": AS_OF if n == 5 else f"2026-02-0{n}T09:00:00",
                "marketing_opt_in": "true" if n % 2 else "false",
            }
        )
    # C2 moved: a second, later version (its first version stays above it in the file)
    rows.append({**rows[1], "city": "Roma", "updated_at": "2026-03-01T09:00:00"})
    return rows


def _order(order_id, customer_id, ordered_at, channel, status, amount, updated_at, items=1):
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "ordered_at": ordered_at,
        "channel": channel,
        "status": status,
        "currency": "EUR",
        "amount": amount,
        "items_count": items,
        "updated_at": updated_at,
    }


def _orders() -> list[dict]:
    day = "2026-05-03T09:55:00", "2026-06-10T10:00:00", "2026-05-12T15:00:00"
    return [
        _order("O1", "C1", day[0], "web", "delivered", "100.00", "2026-05-05T10:00:00", 2),
        _order("O2", "C1", day[1], "app", "delivered", "60.00", "2026-06-12T10:00:00"),
        _order("O3", "C2", day[2], "store", "cancelled", "80.00", "2026-05-12T16:00:00"),
        _order("O4", "C2", "2026-05-20T15:00:00", "web", "returned", "40.00", "2026-05-28T15:00"),
        # O5 in two versions, in the order they happened: placed, then paid
        _order("O5", "C3", "2026-06-01T09:00:00", "web", "placed", "30.00", "2026-06-01T09:00:00"),
        _order("O5", "C3", "2026-06-01T09:00:00", "web", "paid", "30.00", "2026-06-01T10:00:00"),
        # C4's only order is 211 days before as_of: C4 has churned
        _order("O6", "C4", "2025-12-01T12:00:00", "phone", "delivered", "200.00",
               "2025-12-03T12:00:00", 3),
        _order("O7", "C5", AS_OF, "web", "delivered", "50.00", AS_OF),
    ]  # fmt: skip


def _ticket(ticket_id, customer_id, email, channel, priority, opened, responded, resolved,
            status, replies, reopened, updated_at):  # fmt: skip
    return {
        "ticket_id": ticket_id,
        "customer_id": customer_id,
        "contact_email": email,
        "channel": channel,
        "category": "billing" if ticket_id in ("T1", "T4") else "delivery",
        "priority": priority,
        "opened_at": opened,
        "first_response_at": responded,
        "resolved_at": resolved,
        "status": status,
        "agent_replies": replies,
        "reopened_count": reopened,
        "updated_at": updated_at,
    }


def _tickets() -> list[dict]:
    opened = "2026-05-04T09:00:00", "2026-05-21T10:00:00", "2026-06-02T08:00:00"
    t4 = "T4", "C4", "c4@example.com", "email", "urgent", "2026-06-05T12:00:00"
    return [
        _ticket("T1", "C1", "c1@example.com", "email", "normal", opened[0],
                "2026-05-04T11:00:00", "2026-05-05T09:00:00", "solved", 1, 0, "2026-05-05T09:00"),
        _ticket("T2", "C2", "", "chat", "high", opened[1],
                "2026-05-21T10:30:00", "2026-05-22T16:00:00", "closed", 2, 0, "2026-05-22T16:00"),
        # only its contact email links T3 to C3 (and so to C3's help-centre visit S4)
        _ticket("T3", "", "c3@example.com", "phone", "low", opened[2],
                "2026-06-02T09:00:00", "", "open", 1, 0, "2026-06-02T09:00:00"),
        # T4 in two versions, in the order they happened: open, then closed (reopened once)
        _ticket(*t4, "2026-06-05T14:00:00", "", "open", 1, 0, "2026-06-05T14:00:00"),
        _ticket(*t4, "2026-06-05T14:00:00", "2026-06-06T12:00:00", "closed", 1, 1,
                "2026-06-06T12:00:00"),
    ]  # fmt: skip


def _session(anonymous_id, user_id, start, device, utm_source, steps, *, session):
    """One web session: `steps` are (event_type, order_id or None), one minute apart."""
    hour, minute = int(start[11:13]), int(start[14:16])
    events = []
    for i, (event_type, order_id) in enumerate(steps):
        total = hour * 60 + minute + i
        at = f"{start[:11]}{total // 60:02d}:{total % 60:02d}:00"
        events.append(
            {
                "event_id": f"{session}-{i + 1}",
                "event_at": at,
                "anonymous_id": anonymous_id,
                "user_id": user_id,
                "email": "p9@example.com" if event_type == "signup" else None,
                "event_type": event_type,
                "page_url": f"https://shop.example/{event_type}",
                "referrer": "https://www.google.com/" if i == 0 else None,
                "utm_source": utm_source,
                "utm_medium": "cpc" if utm_source else None,
                "utm_campaign": "spring" if utm_source else None,
                "device_type": device,
                "order_id": order_id,
                "properties": {"step": i + 1},
            }
        )
    return events


def _web_events() -> list[dict]:
    page, product, search, cart = "page_view", "product_view", "search", "add_to_cart"
    checkout, purchase, help_view = "checkout_start", "purchase", "help_center_view"
    return [
        *_session("A1", "C1", "2026-05-03T09:50", "desktop", "google",
                  [(page, None), (product, None), (search, None), (cart, None),
                   (checkout, None), (purchase, "O1")], session="S1"),
        *_session("A1", "C1", "2026-06-10T09:55", "mobile", "newsletter",
                  [(page, None), ("login", None), (product, None), (cart, None),
                   (checkout, None), (purchase, "O2")], session="S2"),
        *_session("A2", "C2", "2026-05-20T08:00", "desktop", None,
                  [(page, None), (help_view, None), ("contact_form", None)], session="S3"),
        *_session("A3", "C3", "2026-06-01T20:00", "mobile", None,
                  [(page, None), (help_view, None)], session="S4"),
        *_session("A4", "C4", "2026-06-20T10:00", "tablet", "google",
                  [(page, None), (help_view, None), (search, None)], session="S5"),
        *_session("A5", "C5", "2026-06-30T11:50", "mobile", "google",
                  [(page, None), (product, None), (cart, None), (purchase, "O7")], session="S6"),
        *_session("A9", None, "2026-06-15T18:00", "desktop", "google",
                  [(page, None), ("signup", None), (product, None), (cart, None)], session="S7"),
    ]  # fmt: skip


def _survey_responses() -> list[dict]:
    def answer(response_id, survey_type, submitted, customer, email, touchpoint, channel, score,
               related):  # fmt: skip
        return {
            "response_id": response_id,
            "survey_id": f"{survey_type}-2026",
            "survey_type": survey_type,
            "submitted_at": submitted,
            "customer_id": customer,
            "respondent_email": email,
            "touchpoint": touchpoint,
            "channel": channel,
            "score": score,
            "comment": "Thanks" if score == 9 else "",
            "language": "en",
            "related_id": related,
        }

    return [
        answer("R1", "nps", "2026-05-06T12:00:00", "C1", "", "delivery", "email", 9, "O1"),
        answer("R2", "nps", "2026-05-23T12:00:00", "C2", "", "support", "web", 3, "T2"),
        answer("R3", "nps", "2026-06-03T12:00:00", "", "c3@example.com", "website", "email", 7, ""),
        answer("R4", "csat", "2026-05-05T12:00:00", "C1", "", "support", "email", 5, "T1"),
        answer("R5", "csat", "2026-06-07T12:00:00", "C4", "", "support", "sms", 2, "T4"),
        answer("R6", "ces", "2026-05-22T18:00:00", "C2", "", "support", "web", 6, "T2"),
        answer("R7", "ces", "2026-06-02T12:00:00", "C3", "", "website", "app", 4, ""),
        answer("R8", "nps", "2026-06-07T12:00:00", "C4", "", "support", "sms", "", ""),
    ]


SAMPLE: dict[str, list[dict]] = {
    "crm_customers": _customers(),
    "crm_orders": _orders(),
    "crm_tickets": _tickets(),
    "web_events": _web_events(),
    "survey_responses": _survey_responses(),
}


# --------------------------------------------------------------------------- the writer


def write_landing(landing: Path, drops: tuple[Drop, ...] = ()) -> None:
    """Write the sample as one landing file per entity, without what `drops` name."""
    for entity in ENTITIES:
        if any(d.kind == "entity" and d.value == entity.name for d in drops):
            continue
        dropped_columns = {
            d.value.split(".", 1)[1]
            for d in drops
            if d.kind == "column" and d.value.split(".", 1)[0] == entity.name
        }
        columns = [c for c in entity.column_names if c not in dropped_columns]
        rows = [
            row
            for row in SAMPLE[entity.name]
            if not any(
                (d.kind == "survey_type" and row.get("survey_type") == d.value)
                or (d.kind == "event_type" and row.get("event_type") == d.value)
                for d in drops
            )
        ]
        folder = landing / entity.folder
        folder.mkdir(parents=True, exist_ok=True)
        if entity.name == "web_events":
            with (folder / "events.jsonl").open("w", encoding="utf-8") as handle:
                for row in rows:
                    record = {c: row[c] for c in columns if row[c] is not None}
                    handle.write(json.dumps(record) + "\n")
        else:
            name = entity.folder.split("/")[-1]
            with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(columns)
                writer.writerows([row[c] for c in columns] for row in rows)
