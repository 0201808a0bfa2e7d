from loader_support import (
    EVENTS,
    GOOD_ORDER,
    ORDERS,
    ORDERS_HEADER,
    assert_file_quarantined,
    count,
    csv_text,
    goods,
    load,
    write,
)  # fmt: skip


def test_missing_required_column_quarantines_file(con, landing):
    header = ORDERS_HEADER.replace("amount,", "")
    write(landing, f"{ORDERS}/a.csv", csv_text(header, "o1,c1,2024-03-01,web,paid,EUR,2,"))
    write(landing, f"{ORDERS}/b.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1)))
    report = load(con, landing)
    message = assert_file_quarantined(con, report, f"{ORDERS}/a.csv", "missing_column")
    assert "amount" in message
    assert count(con, "crm_orders") == 1


def test_json_file_without_required_field(con, landing):
    line = '{"event_id":"e1","event_at":"2024-03-01T10:00:00Z","event_type":"login"}'
    write(landing, f"{EVENTS}/e.jsonl", line + "\n")
    report = load(con, landing)
    assert "anonymous_id" in assert_file_quarantined(
        con, report, f"{EVENTS}/e.jsonl", "missing_column"
    )
