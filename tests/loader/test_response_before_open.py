import pytest
from loader_support import (
    GOOD_TICKET,
    TICKETS,
    TICKETS_HEADER,
    assert_one_bad_row,
    csv_text,
    goods,
    load,
    write,
)  # fmt: skip


@pytest.mark.parametrize(
    ("first", "resolved"),
    [("2024-03-01T09:00:00Z", ""), ("", "2024-03-01T09:59:59Z"), ("2024-03-01T11:00:00+02:00", "")],
)
def test_response_before_open_is_quarantined(con, landing, first, resolved):
    bad = f"t9,c9,,email,billing,high,2024-03-01T10:00:00Z,{first},{resolved},open,1,0,"
    write(landing, f"{TICKETS}/t.csv", csv_text(TICKETS_HEADER, *goods(GOOD_TICKET, 1, 2), bad))
    report = load(con, landing)
    assert_one_bad_row(
        con, report, "crm_tickets", f"{TICKETS}/t.csv", 4, "response_before_open", good=2
    )
