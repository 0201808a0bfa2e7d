from loader_support import (
    EVENTS,
    GOOD_EVENT,
    GOOD_ORDER,
    ORDERS,
    ORDERS_HEADER,
    csv_text,
    goods,
    load,
    write,
)  # fmt: skip

TABLES = ("crm_orders", "web_events", "quarantine", "load_log")


def snapshot(con):
    return {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in TABLES}


def test_second_run_changes_nothing(con, landing):
    write(landing, f"{ORDERS}/a.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1, 2), "x,,"))
    write(landing, f"{ORDERS}/b.csv", b"")
    write(landing, f"{EVENTS}/e.jsonl", GOOD_EVENT.format(n=1) + "\n")
    first = load(con, landing)
    assert first.files_loaded == 2 and first.files_quarantined == 1
    before = snapshot(con)
    second = load(con, landing)
    assert snapshot(con) == before
    assert {f.status for f in second.files} == {"duplicate"}
    assert second.rows_read == 0
