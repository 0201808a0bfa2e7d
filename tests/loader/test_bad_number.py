from decimal import Decimal

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
    [
        ('"12,50"', "2"),  # a decimal comma
        ("12.5.0", "2"),
        ('"1,250.00"', "2"),  # a thousands separator
        ("1_250", "2"),
        ("1e21", "2"),  # beyond decimal(38,18): 10^20
        ("nan", "2"),
        ("12.50", "two"),
        ("12.50", "2.5"),  # not whole
        ("12.50", "3000000000"),  # beyond integer
    ],
)
def test_unparseable_number_is_quarantined(con, landing, amount, items):
    bad = f"o9,c9,2024-03-01T10:00:00Z,web,paid,EUR,{amount},{items},"
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1, 2), bad))
    report = load(con, landing)
    reason = assert_one_bad_row(
        con, report, "crm_orders", f"{ORDERS}/a.csv", 4, "bad_number", good=2
    )
    assert ('"amount"' if items == "2" else '"items_count"') in reason


@pytest.mark.parametrize(
    ("amount", "items", "exact_amount", "exact_items"),
    [
        # pandas writes a float with its 17 significant digits (issue 17 §7b)
        ("29.849999999999998", "2", "29.849999999999998", 2),
        ("0.30000000000000004", "2", "0.30000000000000004", 2),
        ("1.5e3", "3.0", "1500", 3),  # exponent notation; an integer column as floats
        ("+12.5", "+3", "12.5", 3),  # a leading +
        (".5", "1e2", "0.5", 100),
        ("1.1234560", "2", "1.123456", 2),
        # more than 18 decimals: rounded at the 18th, never refused
        ("0.1234567890123456789", "2", "0.123456789012345679", 2),
        ("99999999999999999999.5", "2", "99999999999999999999.5", 2),
    ],
)
def test_numbers_as_tools_write_them_load_exactly(
    con, landing, amount, items, exact_amount, exact_items
):
    row = f"o9,c9,2024-03-01T10:00:00Z,web,paid,EUR,{amount},{items},"
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, row))
    load(con, landing)
    assert con.execute("select amount, items_count from raw.crm_orders").fetchone() == (
        Decimal(exact_amount), exact_items,
    )  # fmt: skip
    assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)


def test_parquet_floats_and_decimals_load_exactly(con, landing):
    """A float column as pandas writes it (its NaN: a missing value), DECIMAL and integer
    columns, and an integer column written as floats."""
    path = landing / ORDERS / "a.parquet"
    path.parent.mkdir(parents=True)
    con.execute(
        f"""copy (
            select * from (values
                ('o1', 'c1', timestamp '2024-03-01', 'paid', 29.849999999999998::double,
                    12.5::decimal(10, 2), 2::bigint, 2.0::double),
                ('o2', 'c1', timestamp '2024-03-01', 'paid', 'nan'::double,
                    0.125::decimal(10, 3), 3::bigint, 'nan'::double),
                ('o3', 'c1', timestamp '2024-03-01', 'paid', 1.5e3::double,
                    null, null, 4.0::double)
            ) t(order_id, customer_id, ordered_at, status, amount, amount_decimal,
                items_count, items_float)
        ) to '{path}' (format parquet)"""
    )
    load(con, landing)
    assert con.execute("select order_id, amount, items_count from raw.crm_orders").fetchall() == [
        ("o1", Decimal("29.849999999999998"), 2),
        ("o3", Decimal("1500"), None),
    ]
    # the NaN amount is a missing required value, not a number
    assert con.execute("select line, reason_code from raw.quarantine").fetchall() == [
        (2, "missing_required")  # Parquet: the 1-based row
    ]
    con.execute("delete from raw.crm_orders")
    con.execute("delete from raw.load_log")
    con.execute("delete from raw.quarantine")
    con.execute(
        f"copy (select order_id, customer_id, ordered_at, status, amount_decimal as amount, "
        f"items_float as items_count from '{path}') to '{path}.tmp' (format parquet)"
    )
    path.unlink()
    (landing / ORDERS / "a.parquet.tmp").rename(landing / ORDERS / "b.parquet")
    load(con, landing)
    assert con.execute(
        "select order_id, amount, items_count from raw.crm_orders order by 1"
    ).fetchall() == [
        ("o1", Decimal("12.5"), 2),
        ("o2", Decimal("0.125"), None),
    ]
    assert con.execute("select line, reason_code from raw.quarantine").fetchall() == [
        (3, "missing_required")
    ]
