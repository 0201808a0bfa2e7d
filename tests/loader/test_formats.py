import gzip
from datetime import datetime
from decimal import Decimal

import duckdb
from loader_support import (
    CUSTOMERS,
    CUSTOMERS_HEADER,
    EVENTS,
    GOOD_EVENT,
    ORDERS,
    SURVEYS,
    SURVEYS_HEADER,
    csv_text,
    load,
    quarantine,
    write,
)  # fmt: skip


def test_bom_case_insensitive_headers_extra_columns_any_order(con, landing):
    header = "\ufeffAmount,Extra,ORDER_ID,status,Customer_Id,Ordered_At"
    write(landing, f"{ORDERS}/a.csv", csv_text(header, "12.5,zzz,o1,paid,c1,2024-03-01"))
    load(con, landing)
    row = con.execute(
        "select order_id, customer_id, amount, ordered_at, currency from raw.crm_orders"
    ).fetchone()
    assert row == ("o1", "c1", Decimal("12.500000"), datetime(2024, 3, 1), None)


def test_quoted_newlines_keep_line_numbers_exact(con, landing):
    rows = [
        'r1,s1,nps,2024-03-01,,,,,9,"line one\nline two\nline three",en,',
        'r2,s1,nps,2024-03-01,,,,,8,"say ""hi"", twice",en,',
        "r3,s1,nps,2024-03-01,,,,,99,,en,",
        'r4,s1,nps,2024-03-01,,,,,7,"a\r\nb",en,',
        "r5,s1,nps,2024-03-01,,,,,6,,en,",
    ]
    write(landing, f"{SURVEYS}/s.csv", csv_text(SURVEYS_HEADER, *rows))
    load(con, landing)
    got = con.execute("select response_id, _line, comment from raw.survey_responses order by 2")
    assert got.fetchall() == [
        ("r1", 2, "line one\nline two\nline three"),
        ("r2", 5, 'say "hi", twice'),
        ("r4", 7, "a\r\nb"),
        ("r5", 9, None),
    ]
    assert quarantine(con) == [(f"{SURVEYS}/s.csv", 6, "score_out_of_range")]


def test_crlf_file_with_blank_line(con, landing):
    text = (
        SURVEYS_HEADER
        + "\r\nr1,s1,csat,2024-03-01,,,,,5,,,\r\n\r\nr2,s1,csat,2024-03-01,,,,,9,,,\r\n"
    )
    write(landing, f"{SURVEYS}/s.csv", text)
    load(con, landing)
    assert con.execute("select _line from raw.survey_responses").fetchall() == [(2,)]
    assert quarantine(con) == [(f"{SURVEYS}/s.csv", 4, "score_out_of_range")]


def test_time_zones_offsets_and_naive_values(con, landing):
    rows = [
        "c1,,,,,,,,2024-07-01T10:00:00Z,2024-07-01T10:00:00+02:00,",
        "c2,,,,,,,,2024-07-01 10:00:00,2024-07-01T10:00:00.250-0500,",
        "c3,,,,,,,,2024-01-15,2024-01-15T10:00,",
    ]
    write(landing, f"{CUSTOMERS}/c.csv", csv_text(CUSTOMERS_HEADER, *rows))
    load(con, landing, time_zones={"crm": "Europe/Rome"})
    got = con.execute("select created_at, updated_at from raw.crm_customers order by customer_id")
    assert got.fetchall() == [
        (datetime(2024, 7, 1, 10), datetime(2024, 7, 1, 8)),  # exact values stay exact
        (datetime(2024, 7, 1, 8), datetime(2024, 7, 1, 15, 0, 0, 250000)),  # naive = Rome (CEST)
        (datetime(2024, 1, 14, 23), datetime(2024, 1, 15, 9)),  # naive = Rome (CET)
    ]


def test_booleans(con, landing):
    values = ["true", "FALSE", "1", "0", "Yes", "no", ""]
    rows = [f"c{i},,,,,,,,2024-01-01,2024-01-01,{v}" for i, v in enumerate(values)]
    write(landing, f"{CUSTOMERS}/c.csv", csv_text(CUSTOMERS_HEADER, *rows))
    load(con, landing)
    got = con.execute("select marketing_opt_in from raw.crm_customers order by customer_id")
    assert [v for (v,) in got.fetchall()] == [True, False, True, False, True, False, None]


def test_jsonl_gz_case_insensitive_keys_and_blank_lines(con, landing):
    lines = [
        GOOD_EVENT.format(n=1),
        "",
        '{"Event_ID":"e2","EVENT_AT":"2024-03-01T12:00:00+01:00","anonymous_id":"a2",'
        '"event_type":"purchase","order_id":123,"extra":{"x":1}}',
    ]
    write(landing, f"{EVENTS}/e.jsonl.gz", gzip.compress(("\n".join(lines) + "\n").encode()))
    load(con, landing)
    got = con.execute(
        "select event_id, event_at, order_id, properties::varchar, _line, _file "
        "from raw.web_events order by _line"
    )
    assert got.fetchall() == [
        ("e1", datetime(2024, 3, 1, 10), None, '{"k":1}', 1, f"{EVENTS}/e.jsonl.gz"),
        ("e2", datetime(2024, 3, 1, 11), "123", None, 3, f"{EVENTS}/e.jsonl.gz"),
    ]


def test_parquet(con, landing, tmp_path):
    path = landing / ORDERS / "a.parquet"
    path.parent.mkdir(parents=True)
    scratch = duckdb.connect()
    scratch.execute(
        f"""copy (select * from (values
            ('o1', 'c1', timestamp '2024-03-01 10:00:00', 'PAID', 12.5::double, 2),
            ('o2', 'c2', timestamp '2024-03-01 11:00:00', 'paid', -1.0::double, 1)
        ) t("ORDER_ID", customer_id, ordered_at, status, amount, items_count))
        to '{path}' (format parquet)"""
    )
    report = load(con, landing, time_zones={"crm": "Europe/Rome"})
    assert report.rows_read == 2
    got = con.execute("select order_id, ordered_at, amount, _line from raw.crm_orders")
    assert got.fetchall() == [("o1", datetime(2024, 3, 1, 9), Decimal("12.5"), 1)]
    assert quarantine(con) == [(f"{ORDERS}/a.parquet", 2, "negative_value")]
    text = con.execute("select original_text from raw.quarantine").fetchone()[0]
    assert '"ORDER_ID":"o2"' in text
