"""Helpers for the loader tests: a landing folder, a real DuckDB file, small extracts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.loader import LoadReport, load_landing

ORDERS = "crm/orders"
TICKETS = "crm/tickets"
CUSTOMERS = "crm/customers"
EVENTS = "web/events"
SURVEYS = "survey/responses"

ORDERS_HEADER = (
    "order_id,customer_id,ordered_at,channel,status,currency,amount,items_count,updated_at"
)
GOOD_ORDER = "o{n},c{n},2024-03-01T10:00:00Z,web,paid,EUR,12.50,2,2024-03-02T10:00:00Z"
TICKETS_HEADER = (
    "ticket_id,customer_id,contact_email,channel,category,priority,opened_at,"
    "first_response_at,resolved_at,status,agent_replies,reopened_count,updated_at"
)
GOOD_TICKET = (
    "t{n},c{n},a@x.com,email,billing,normal,2024-03-01T10:00:00Z,2024-03-01T11:00:00Z,"
    "2024-03-02T10:00:00Z,solved,1,0,2024-03-02T10:00:00Z"
)
CUSTOMERS_HEADER = (
    "customer_id,email,phone,first_name,last_name,country,city,signup_channel,created_at,"
    "updated_at,marketing_opt_in"
)
GOOD_CUSTOMER = (
    "c{n},a{n}@x.com,+39 333 1234567,Ann,Lee,IT,Rome,web,2024-01-01T00:00:00Z,"
    "2024-01-02T00:00:00Z,yes"
)
SURVEYS_HEADER = (
    "response_id,survey_id,survey_type,submitted_at,customer_id,respondent_email,touchpoint,"
    "channel,score,comment,language,related_id"
)
GOOD_SURVEY = "r{n},s1,nps,2024-03-01T10:00:00Z,c{n},,support,email,9,great,en,t1"
GOOD_EVENT = (
    '{{"event_id":"e{n}","event_at":"2024-03-01T10:00:00Z","anonymous_id":"a{n}",'
    '"event_type":"page_view","properties":{{"k":{n}}}}}'
)


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def goods(template: str, *numbers: int) -> list[str]:
    return [template.format(n=n) for n in numbers]


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    path = tmp_path / "landing"
    path.mkdir()
    return path


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(tmp_path / "wh.duckdb"))
    yield connection
    connection.close()


def write(landing: Path, rel: str, content: str | bytes) -> Path:
    path = landing / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def load(con: duckdb.DuckDBPyConnection, landing: Path, **kwargs) -> LoadReport:
    report = load_landing(con, landing, **kwargs)
    for f in report.files:
        assert f.rows_read == f.rows_loaded + f.rows_quarantined + f.rows_suppressed, f
    return report


def quarantine(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select file_path, line, reason_code from raw.quarantine order by file_path, line"
    ).fetchall()


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def assert_one_bad_row(
    con: duckdb.DuckDBPyConnection,
    report: LoadReport,
    table: str,
    rel: str,
    line: int,
    code: str,
    good: int,
) -> str:
    """The file loaded with exactly one quarantined record; returns its reason text."""
    assert quarantine(con) == [(rel, line, code)]
    (result,) = [f for f in report.files if f.file_path == rel]
    assert (result.status, result.rows_read, result.rows_loaded, result.rows_quarantined) == (
        "loaded", good + 1, good, 1,
    )  # fmt: skip
    assert count(con, table) == good
    reason, text = con.execute("select reason, original_text from raw.quarantine").fetchone()
    assert rel in reason and f"line {line}" in reason
    assert text
    log = con.execute(
        "select status, rows_read, rows_loaded, rows_quarantined from raw.load_log "
        "where file_path = ?",
        [rel],
    ).fetchone()
    assert log == ("loaded", good + 1, good, 1)
    return reason


def assert_file_quarantined(
    con: duckdb.DuckDBPyConnection, report: LoadReport, rel: str, code: str
) -> str:
    """The whole file is quarantined with one line-less row; returns the message."""
    rows = con.execute(
        "select file_path, line, reason_code, reason from raw.quarantine where file_path = ?",
        [rel],
    ).fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [(rel, None, code)]
    (result,) = [f for f in report.files if f.file_path == rel]
    assert result.status == "quarantined" and result.rows_read == 0
    log = con.execute("select status, message from raw.load_log where file_path = ?", [rel])
    status, message = log.fetchone()
    assert status == "quarantined" and message
    return rows[0][3]
