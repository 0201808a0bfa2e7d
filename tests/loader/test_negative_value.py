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
    ("amount", "items", "column"), [("-1.00", "2", "amount"), ("5", "-1", "items_count")]
)
def test_negative_value_is_quarantined(con, landing, amount, items, column):
    bad = f"o9,c9,2024-03-01T10:00:00Z,web,paid,EUR,{amount},{items},"
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1), bad))
    report = load(con, landing)
    reason = assert_one_bad_row(
        con, report, "crm_orders", f"{ORDERS}/a.csv", 3, "negative_value", good=1
    )
    assert f'"{column}"' in reason
