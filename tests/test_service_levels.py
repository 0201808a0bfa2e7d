"""Business hours, SLAs, reopens, touches and the daily backlog on hand-worked tickets.

A landing with only helpdesk tickets, written here, is loaded for real and built with
`dbt build` (as_of fixed by the dbt var). The schedule is the shipped default: Monday to
Friday 09:00-18:00 Europe/Rome, Italian holidays. Timestamps in the file are UTC (`Z`);
the comments give them in Rome time (CET = UTC+1 until 30 March 2025 and from 26 October
2025, CEST = UTC+2 in between) and work out every expected value by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.loader import load_landing
from tests.conftest import run_dbt

AS_OF = "2025-11-03 10:00:00"  # Monday 3 November 2025, 11:00 in Rome (CET)

HEADER = (
    "ticket_id,customer_id,contact_email,channel,category,priority,opened_at,"
    "first_response_at,resolved_at,status,agent_replies,reopened_count,updated_at"
)
TICKETS = [
    # W, a weekend: opened Friday 7 March 17:00, answered Monday 10 March 10:30, solved
    # Monday 12:00. First response: Friday 17-18 (1 h) + Monday 9-10:30 (1.5 h) = 2.5 h
    # (65.5 calendar hours); resolution: 1 h + Monday 9-12 (3 h) = 4 h. Normal: targets 8/40.
    "W,,,email,billing,normal,2025-03-07T16:00:00Z,2025-03-10T09:30:00Z,"
    "2025-03-10T11:00:00Z,solved,1,0,2025-03-10T11:00:00Z",
    # H, a holiday: opened Tuesday 24 December 2024 17:00, answered Friday 27 December
    # 09:15, closed 10:00; 25 and 26 December are holidays. First response 1 + 0.25 =
    # 1.25 h; resolution 1 + 1 = 2 h. High: targets 4/24. Two agent replies, no reopening.
    "H,,,email,billing,high,2024-12-24T16:00:00Z,2024-12-27T08:15:00Z,"
    "2024-12-27T09:00:00Z,closed,2,0,2024-12-27T09:00:00Z",
    # S, spring DST change (Sunday 30 March 2025): opened Friday 28 March 17:00 CET
    # (16:00Z), answered Monday 31 March 10:00 CEST (08:00Z), solved 17:00 CEST (15:00Z).
    # First response 1 + 1 = 2 h > urgent target 1: breached; resolution 1 + 8 = 9 h >
    # 8: breached. (A clock fixed at UTC+1 would count Monday 08:00Z as 09:00, 1 h.)
    "S,,,phone,delivery,urgent,2025-03-28T16:00:00Z,2025-03-31T08:00:00Z,"
    "2025-03-31T15:00:00Z,solved,3,0,2025-03-31T15:00:00Z",
    # A, autumn DST change (Sunday 26 October 2025): opened Friday 24 October 17:00 CEST
    # (15:00Z), answered and solved Monday 27 October 11:30 CET (10:30Z): 1 + 2.5 = 3.5 h.
    # Low: targets 24/80.
    "A,,,chat,delivery,low,2025-10-24T15:00:00Z,2025-10-27T10:30:00Z,"
    "2025-10-27T10:30:00Z,solved,1,0,2025-10-27T10:30:00Z",
    # O, outside hours: opened Tuesday 4 March 19:00, answered 21:00 (0 business hours,
    # 2 calendar hours), solved Wednesday 09:30: 0.5 h.
    "O,,,chat,other,normal,2025-03-04T18:00:00Z,2025-03-04T20:00:00Z,"
    "2025-03-05T08:30:00Z,solved,1,0,2025-03-05T08:30:00Z",
    # P, still open past its target: urgent, opened Monday 3 November 09:00 (08:00Z), no
    # reply at as_of 11:00: waited 2 h > 1: open_past_target; resolution 2 h <= 8.
    "P,,,phone,delivery,urgent,2025-11-03T08:00:00Z,,,open,0,0,2025-11-03T08:00:00Z",
    # Q, within its target: high, opened at 11:00 (10:00Z) = as_of: waited 0 h.
    "Q,,,phone,delivery,high,2025-11-03T10:00:00Z,,,new,0,0,2025-11-03T10:00:00Z",
]
# R, a reopen, in three versions (three files, loaded in order): opened Tuesday 2
# September 11:00 CEST (09:00Z), answered 11:30, solved 12:00; reopened Wednesday 10:00
# (08:00Z); solved again 11:00 (09:00Z) after a second reply. Status history: new 1 h,
# solved 22 h, open 1 h, solved until as_of; requester wait (new/open/pending) 2 h.
# Resolution: Tuesday 11-18 (7 h) + Wednesday 9-11 (2 h) = 9 h <= normal target 40.
R_VERSIONS = [
    "R,,,chat,billing,normal,2025-09-02T09:00:00Z,2025-09-02T09:30:00Z,"
    "2025-09-02T10:00:00Z,solved,1,0,2025-09-02T10:00:00Z",
    "R,,,chat,billing,normal,2025-09-02T09:00:00Z,2025-09-02T09:30:00Z,,open,1,1,2025-09-03T08:00:00Z",
    "R,,,chat,billing,normal,2025-09-02T09:00:00Z,2025-09-02T09:30:00Z,"
    "2025-09-03T09:00:00Z,solved,2,1,2025-09-03T09:00:00Z",
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("service_levels")
    folder = data_dir / "landing" / "crm" / "tickets"
    folder.mkdir(parents=True)
    (folder / "a_tickets.csv").write_text("\n".join([HEADER, *TICKETS, R_VERSIONS[0]]) + "\n")
    for number, version in enumerate(R_VERSIONS[1:], start=2):
        (folder / f"b_reopen_{number}.csv").write_text(f"{HEADER}\n{version}\n")
    path = data_dir / "warehouse" / "cx.duckdb"
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        report = load_landing(con, data_dir / "landing")
    assert report.rows_quarantined == 0 and report.rows_loaded == len(TICKETS) + 3
    result = run_dbt(
        data_dir,
        data_dir / "target",
        "build",
        "--select",
        "+fct_tickets",
        "+service_backlog_daily",
        "+int_kpi__service",
        "--exclude-resource-type",
        "unit_test",
        "--indirect-selection",
        "cautious",
        "--vars",
        json.dumps({"as_of": AS_OF}),
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return path


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_business_hours_across_weekends_holidays_and_dst(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select ticket_id, first_response_business_hours, resolution_business_hours, "
        "first_response_hours from marts.fct_tickets order by ticket_id",
    )
    got = {ticket: (first, resolution) for ticket, first, resolution, _ in rows}
    assert got == {
        "A": (3.5, 3.5),
        "H": (1.25, 2.0),
        "O": (0.0, 0.5),
        "P": (None, None),
        "Q": (None, None),
        "R": (0.5, 9.0),
        "S": (2.0, 9.0),
        "W": (2.5, 4.0),
    }
    calendar = {ticket: hours for ticket, _, _, hours in rows}
    assert calendar["W"] == 65.5 and calendar["O"] == 2.0  # the calendar clock is unchanged


def test_sla_status_per_ticket(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select ticket_id, first_response_target_business_hours, first_response_sla_status, "
        "resolution_target_business_hours, resolution_sla_status "
        "from marts.fct_tickets order by ticket_id",
    )
    assert rows == [
        ("A", 24.0, "met", 80.0, "met"),
        ("H", 4.0, "met", 24.0, "met"),
        ("O", 8.0, "met", 40.0, "met"),
        ("P", 1.0, "open_past_target", 8.0, "open_within_target"),
        ("Q", 4.0, "open_within_target", 24.0, "open_within_target"),
        ("R", 8.0, "met", 40.0, "met"),
        ("S", 1.0, "breached", 8.0, "breached"),
        ("W", 8.0, "met", 40.0, "met"),
    ]


def test_status_history_and_requester_wait(warehouse: Path) -> None:
    spans = _query(
        warehouse,
        "select status, duration_hours, is_current "
        "from intermediate.int_service__ticket_status_spans "
        "where ticket_id = 'R' order by started_at",
    )
    # as_of 2025-11-03 10:00Z - 2025-09-03 09:00Z = 61 days + 1 h = 1465 h
    assert spans == [("new", 1.0, False), ("solved", 22.0, False), ("open", 1.0, False),
                     ("solved", 1465.0, True)]  # fmt: skip
    waits = dict(_query(warehouse, "select ticket_id, requester_wait_hours from marts.fct_tickets"))
    # W: new from Friday 16:00Z to its only version, solved, on Monday 11:00Z: 67 h.
    # P: new until its version (open) at opened_at, then open to as_of: 2 h. Q: 0 h.
    assert waits["R"] == 2.0 and waits["W"] == 67.0 and waits["P"] == 2.0 and waits["Q"] == 0.0


def test_scorecard_service_kpis(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select kpi, value, numerator, denominator, sample_size from intermediate.int_kpi__service "
        "where grain = 'all_time' and dimension = 'overall'",
    )
    got = {
        kpi: (value, numerator, denominator, n) for kpi, value, numerator, denominator, n in rows
    }
    # first response (business): O 0, R 0.5, H 1.25, S 2, W 2.5, A 3.5 -> (1.25 + 2) / 2
    assert got["first_response_time_business_hours"] == (1.625, None, None, 6)
    # resolution (business), solved/closed: O 0.5, H 2, A 3.5, W 4, S 9, R 9 -> 3.75
    assert got["resolution_time_business_hours"] == (3.75, None, None, 6)
    # breaches of the first-response target: S (answered late), P (unanswered past it): 2 / 8
    assert got["sla_breach_rate"] == (25.0, 2, 8, 8)
    # resolution: S only: 1 / 8
    assert got["resolution_sla_breach_rate"] == (12.5, 1, 8, 8)
    # resolved with a known reopened_count: W H S A O R; reopened: R -> 1 / 6
    assert got["reopen_rate"][1:] == (1, 6, 6)
    assert got["reopen_rate"][0] == pytest.approx(100 / 6, rel=1e-12)
    # two agent replies and no reopening: H (R has two but was reopened) -> 1 / 6
    assert got["two_touch_resolution_rate"][1:] == (1, 6, 6)
    # one reply and no reopening: W A O -> 3 / 6
    assert got["first_contact_resolution_rate"] == (50.0, 3, 6, 6)


def test_daily_backlog(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select backlog_date::varchar, channel, priority, open_tickets, tickets_opened, "
        "tickets_solved from marts.service_backlog_daily "
        "where (channel, priority) in (('email', 'high'), ('chat', 'normal'), ('phone', 'urgent')) "
        "and backlog_date in ('2024-12-24', '2024-12-25', '2024-12-26', '2024-12-27', "
        "'2025-09-02', '2025-09-03', '2025-11-03') order by 2, 3, 1",
    )
    assert rows == [
        # R: new 11:00-12:00 and open 10:00-11:00 the next day: never open at a day's end;
        # solved on both days (new -> solved, open -> solved)
        ("2024-12-24", "chat", "normal", 0, 0, 0),
        ("2024-12-25", "chat", "normal", 0, 0, 0),
        ("2024-12-26", "chat", "normal", 0, 0, 0),
        ("2024-12-27", "chat", "normal", 0, 0, 0),
        ("2025-09-02", "chat", "normal", 0, 1, 1),
        ("2025-09-03", "chat", "normal", 0, 0, 1),
        ("2025-11-03", "chat", "normal", 0, 0, 0),
        # H: opened 24 December 17:00, closed 27 December 10:00
        ("2024-12-24", "email", "high", 1, 1, 0),
        ("2024-12-25", "email", "high", 1, 0, 0),
        ("2024-12-26", "email", "high", 1, 0, 0),
        ("2024-12-27", "email", "high", 0, 0, 1),
        ("2025-09-02", "email", "high", 0, 0, 0),
        ("2025-09-03", "email", "high", 0, 0, 0),
        ("2025-11-03", "email", "high", 0, 0, 0),
        # S (urgent, solved in March) and P (urgent, opened 3 November, still open)
        ("2024-12-24", "phone", "urgent", 0, 0, 0),
        ("2024-12-25", "phone", "urgent", 0, 0, 0),
        ("2024-12-26", "phone", "urgent", 0, 0, 0),
        ("2024-12-27", "phone", "urgent", 0, 0, 0),
        ("2025-09-02", "phone", "urgent", 0, 0, 0),
        ("2025-09-03", "phone", "urgent", 0, 0, 0),
        ("2025-11-03", "phone", "urgent", 1, 1, 0),
    ]
