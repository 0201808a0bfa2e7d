import pytest
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


@pytest.mark.parametrize(
    ("rel", "content"),
    [
        (f"{ORDERS}/empty.csv", b""),
        # a landing format the entity does not take: CSV among the web events
        (f"{EVENTS}/events.csv", b"event_id,event_at\ne1,2024-03-01T10:00:00Z\n"),
        (f"{ORDERS}/broken.parquet", b"PAR1 this is not parquet"),
        (f"{EVENTS}/plain.jsonl", b"this,is\nnot,json\n"),
        (f"{EVENTS}/broken.jsonl.gz", b"\x1f\x8b\x08\x00garbage"),
    ],
)
def test_unreadable_file_is_quarantined_whole(con, landing, rel, content):
    write(landing, rel, content)
    write(landing, f"{ORDERS}/z_good.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1)))
    report = load(con, landing)
    assert_file_quarantined(con, report, rel, "unreadable")
    assert count(con, "crm_orders") == 1
