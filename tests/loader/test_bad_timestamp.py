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


def test_unparseable_timestamp_is_quarantined(con, landing):
    bad = "o9,c9,03/01/2024 10:00,web,paid,EUR,12.50,2,"
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1), bad))
    report = load(con, landing)
    reason = assert_one_bad_row(
        con, report, "crm_orders", f"{ORDERS}/a.csv", 3, "bad_timestamp", good=1
    )
    assert '"ordered_at"' in reason and "03/01/2024 10:00" in reason


def test_impossible_date_is_bad_timestamp(con, landing):
    bad = "o9,c9,2024-02-30T10:00:00Z,web,paid,EUR,12.50,2,"
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, bad, *goods(GOOD_ORDER, 1, 2)))
    report = load(con, landing)
    assert_one_bad_row(con, report, "crm_orders", f"{ORDERS}/a.csv", 2, "bad_timestamp", good=2)
