from loader_support import (
    EVENTS,
    GOOD_EVENT,
    GOOD_ORDER,
    ORDERS,
    ORDERS_HEADER,
    assert_one_bad_row,
    csv_text,
    goods,
    load,
    quarantine,
    write,
)  # fmt: skip


def test_wrong_field_count_is_quarantined_with_exact_text(con, landing):
    bad = "o9,c9,2024-03-01T10:00:00Z,web,paid,EUR,12.50,2,,extra"
    write(
        landing,
        f"{ORDERS}/a.csv",
        csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1), bad, *goods(GOOD_ORDER, 2)),
    )
    report = load(con, landing)
    assert_one_bad_row(con, report, "crm_orders", f"{ORDERS}/a.csv", 3, "malformed_record", good=2)
    assert con.execute("select original_text from raw.quarantine").fetchone()[0] == bad
    assert con.execute("select _line from raw.crm_orders order by _line").fetchall() == [(2,), (4,)]


def test_too_few_fields_after_quoted_newline(con, landing):
    multi = 'o1,c1,2024-03-01,"web\nshop",paid,EUR,1,1,'
    rows = [multi, "o9,c9,2024-03-01,web", *goods(GOOD_ORDER, 2)]
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *rows))
    report = load(con, landing)
    assert_one_bad_row(con, report, "crm_orders", f"{ORDERS}/a.csv", 4, "malformed_record", good=2)
    assert con.execute("select _line from raw.crm_orders order by _line").fetchall() == [(2,), (5,)]


def test_invalid_json_and_non_object_lines(con, landing):
    lines = [GOOD_EVENT.format(n=1), '{"event_id": "e2", ', "[1, 2]", GOOD_EVENT.format(n=3)]
    write(landing, f"{EVENTS}/e.jsonl", "\n".join(lines) + "\n")
    report = load(con, landing)
    rel = f"{EVENTS}/e.jsonl"
    assert quarantine(con) == [(rel, 2, "malformed_record"), (rel, 3, "malformed_record")]
    texts = con.execute("select original_text from raw.quarantine order by line").fetchall()
    assert texts == [('{"event_id": "e2", ',), ("[1, 2]",)]
    (result,) = report.files
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 2, 2)
