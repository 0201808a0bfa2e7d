from loader_support import (
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


def test_latin1_file_is_quarantined_whole(con, landing, tmp_path):
    text = csv_text(ORDERS_HEADER, "o9,c9,2024-03-01,web,paid,EUR,1,1,Café")
    write(landing, f"{ORDERS}/a_bad.csv", text.encode("latin-1"))
    write(landing, f"{ORDERS}/b_good.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1, 2)))
    report = load(con, landing, quarantine_dir=tmp_path / "q")
    message = assert_file_quarantined(con, report, f"{ORDERS}/a_bad.csv", "not_utf8")
    assert "line 2" in message and "UTF-8" in message
    assert count(con, "crm_orders") == 2
    (batch,) = con.execute(
        "select batch_id from raw.load_log where status = 'quarantined'"
    ).fetchone()
    assert (tmp_path / "q" / batch / "a_bad.csv").read_bytes() == text.encode("latin-1")
