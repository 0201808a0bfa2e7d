from loader_support import (
    GOOD_ORDER,
    ORDERS,
    ORDERS_HEADER,
    assert_one_bad_row,
    csv_text,
    goods,
    load,
    write,
)  # fmt: skip


def test_missing_required_value_is_quarantined(con, landing):
    bad = "o9,,2024-03-01T10:00:00Z,web,paid,EUR,12.50,2,"
    rows = [*goods(GOOD_ORDER, 1, 2), bad, *goods(GOOD_ORDER, 3)]
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *rows))
    report = load(con, landing)
    reason = assert_one_bad_row(
        con, report, "crm_orders", f"{ORDERS}/a.csv", 4, "missing_required", good=3
    )
    assert '"customer_id"' in reason


def test_missing_required_json_field(con, landing):
    from loader_support import EVENTS, GOOD_EVENT

    bad = '{"event_id":"e9","event_at":"2024-03-01T10:00:00Z","event_type":"login"}'
    write(landing, f"{EVENTS}/e.jsonl", "\n".join([GOOD_EVENT.format(n=1), bad]) + "\n")
    report = load(con, landing)
    reason = assert_one_bad_row(
        con, report, "web_events", f"{EVENTS}/e.jsonl", 2, "missing_required", good=1
    )
    assert '"anonymous_id"' in reason
