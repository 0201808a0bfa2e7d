from loader_support import (
    CUSTOMERS,
    CUSTOMERS_HEADER,
    GOOD_CUSTOMER,
    assert_one_bad_row,
    csv_text,
    goods,
    load,
    write,
)  # fmt: skip


def test_bad_boolean_is_quarantined(con, landing):
    bad = "c9,b@x.com,,Bo,Ray,IT,Rome,web,2024-01-01,2024-01-02,maybe"
    write(landing, f"{CUSTOMERS}/c.csv", csv_text(CUSTOMERS_HEADER, *goods(GOOD_CUSTOMER, 1), bad))
    report = load(con, landing)
    reason = assert_one_bad_row(
        con, report, "crm_customers", f"{CUSTOMERS}/c.csv", 3, "bad_boolean", good=1
    )
    assert '"marketing_opt_in"' in reason and '"maybe"' in reason
