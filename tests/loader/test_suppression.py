"""The suppression list (`cxw forget`): an erased person's records never load again.

The list holds keyed hashes of '<type>:<normalised value>'; the loader drops every record
whose identifier columns hold one, counting it in rows_suppressed, so that
rows_read = rows_loaded + rows_quarantined + rows_suppressed; a file quarantined whole is
copied without the person's lines.
"""

from __future__ import annotations

import csv

import pytest
from loader_support import (
    CUSTOMERS,
    CUSTOMERS_HEADER,
    EVENTS,
    ORDERS,
    count,
    csv_text,
    load,
    write,
)

from orchestration.loader import suppression
from orchestration.loader.suppression import suppression_hash
from tests.conftest import TEST_HMAC_KEY

ERASED = [
    ("email", "ann.lee@x.com"),
    ("crm_customer_id", "c2"),
    ("phone", "+393331234567"),
    ("anonymous_id", "a3"),
]


@pytest.fixture
def suppressed(tmp_path, monkeypatch):
    monkeypatch.setenv("CXW_DATA_DIR", str(tmp_path / "data"))
    path = suppression.suppression_path()
    path.parent.mkdir(parents=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(suppression.HEADER)
        writer.writerows((suppression_hash(t, v, TEST_HMAC_KEY), "e1") for t, v in ERASED)
    return path


def _log(con, rel):
    return con.execute(
        "select status, rows_read, rows_loaded, rows_quarantined, rows_suppressed "
        "from raw.load_log where file_path = ?",
        [rel],
    ).fetchone()


def test_records_of_erased_people_are_suppressed_and_counted(con, landing, suppressed):
    rows = [
        # email, spelled otherwise: normalised to ann.lee@x.com
        "c1, ANN.LEE@X.com ,,Ann,Lee,IT,Rome,web,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,yes",
        # customer id C2 = c2
        "C2,other@x.com,,Bo,Ray,IT,Rome,web,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,yes",
        "c3,c3@x.com,,Cy,Day,IT,Rome,web,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,yes",
        # the phone with the international prefix 00: E.164 +393331234567
        "c4,c4@x.com,0039 333 123 4567,Di,Fox,IT,Rome,web,2024-01-01T00:00:00Z,"
        "2024-01-02T00:00:00Z,yes",
        # a bad record of c2 (bad created_at): suppressed, not quarantined
        "c2,c2@x.com,,Bo,Ray,IT,Rome,web,not-a-date,2024-01-02T00:00:00Z,yes",
    ]
    rel = f"{CUSTOMERS}/a.csv"
    write(landing, rel, csv_text(CUSTOMERS_HEADER, *rows))
    events = [
        '{"event_id":"e1","event_at":"2024-03-01T10:00:00Z","anonymous_id":"A3",'
        '"event_type":"page_view"}',
        '{"event_id":"e2","event_at":"2024-03-01T10:00:00Z","anonymous_id":"a4",'
        '"event_type":"page_view"}',
    ]
    write(landing, f"{EVENTS}/e.jsonl", "\n".join(events) + "\n")
    report = load(con, landing)
    # 5 lines read: c3 loaded; c1 (email), C2 (id), c4 (phone), the bad c2 line suppressed
    assert _log(con, rel) == ("loaded", 5, 1, 0, 4)
    assert con.execute("select customer_id from raw.crm_customers").fetchall() == [("c3",)]
    assert count(con, "quarantine") == 0
    # 2 events read: a4 loaded, A3 (= a3) suppressed
    assert _log(con, f"{EVENTS}/e.jsonl") == ("loaded", 2, 1, 0, 1)
    assert report.rows_suppressed == 5


def test_a_copy_of_a_file_quarantined_whole_leaves_the_erased_lines_out(
    con, landing, suppressed, tmp_path
):
    # no status column: quarantined whole (missing_column), copied to the quarantine folder
    header = "order_id,customer_id,ordered_at,channel,currency,amount,items_count,updated_at"
    erased_line = "o1,C2,2024-03-01T10:00:00Z,web,EUR,12.50,2,"
    kept_line = "o2,c9,2024-03-01T10:00:00Z,web,EUR,12.50,2,"
    write(landing, f"{ORDERS}/a.csv", csv_text(header, erased_line, kept_line))
    load(con, landing, quarantine_dir=tmp_path / "q")
    (batch,) = con.execute(
        "select batch_id from raw.load_log where status = 'quarantined'"
    ).fetchone()
    copy = (tmp_path / "q" / batch / "a.csv").read_text()
    assert copy == csv_text(header, kept_line)


def test_an_empty_list_suppresses_nothing(con, landing, tmp_path, monkeypatch):
    monkeypatch.setenv("CXW_DATA_DIR", str(tmp_path / "nothing"))
    rel = f"{CUSTOMERS}/a.csv"
    row = "C2,ann.lee@x.com,,Bo,Ray,IT,Rome,web,2024-01-01T00:00:00Z,2024-01-02T00:00:00Z,yes"
    write(landing, rel, csv_text(CUSTOMERS_HEADER, row))
    load(con, landing)
    assert _log(con, rel) == ("loaded", 1, 1, 0, 0)
