import pytest
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


@pytest.mark.parametrize(
    ("amount", "items"),
    [('"12,50"', "2"), ("12.5.0", "2"), ("1.1234567", "2"), ("12.50", "two"), ("12.50", "2.5")],
)
def test_unparseable_number_is_quarantined(con, landing, amount, items):
    bad = f"o9,c9,2024-03-01T10:00:00Z,web,paid,EUR,{amount},{items},"
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1, 2), bad))
    report = load(con, landing)
    reason = assert_one_bad_row(
        con, report, "crm_orders", f"{ORDERS}/a.csv", 4, "bad_number", good=2
    )
    assert ('"amount"' if items == "2" else '"items_count"') in reason


def test_six_decimals_and_trailing_zeros_load_exactly(con, landing):
    row = "o9,c9,2024-03-01T10:00:00Z,web,paid,EUR,1.1234560,2,"
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, row))
    load(con, landing)
    assert str(con.execute("select amount from raw.crm_orders").fetchone()[0]) == "1.123456"
