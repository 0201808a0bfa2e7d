from loader_support import GOOD_ORDER, ORDERS, ORDERS_HEADER, count, csv_text, goods, load, write


def test_same_content_under_another_name_loads_once(con, landing):
    text = csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1, 2))
    write(landing, f"{ORDERS}/2024-03-01.csv", text)
    write(landing, f"{ORDERS}/2024-03-01_copy.csv", text)
    report = load(con, landing)
    assert [f.status for f in report.files] == ["loaded", "duplicate"]
    assert count(con, "crm_orders") == 2
    log = con.execute("select file_path, status from raw.load_log order by file_path").fetchall()
    assert log == [
        (f"{ORDERS}/2024-03-01.csv", "loaded"),
        (f"{ORDERS}/2024-03-01_copy.csv", "duplicate"),
    ]
    # landing it again later under a third name is still a duplicate; re-runs add nothing
    write(landing, f"{ORDERS}/2024-03-05.csv", text)
    again = load(con, landing)
    assert [f.status for f in again.files] == ["duplicate"] * 3
    assert count(con, "crm_orders") == 2
    assert count(con, "load_log") == 3
