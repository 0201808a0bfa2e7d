from loader_support import ORDERS, ORDERS_HEADER, csv_text, load, write


def test_later_versions_are_appended_in_lexical_file_order(con, landing):
    v1 = "o1,c1,2024-03-01T10:00:00Z,web,placed,EUR,10,1,2024-03-01T10:00:00Z"
    v2 = "o1,c1,2024-03-01T10:00:00Z,web,paid,EUR,10,1,2024-03-01T11:00:00Z"
    v3 = "o1,c1,2024-03-01T10:00:00Z,web,shipped,EUR,10,1,2024-03-02T09:00:00Z"
    # written out of order on purpose: the loader goes by name
    write(landing, f"{ORDERS}/2024-03-02.csv", csv_text(ORDERS_HEADER, v3))
    write(landing, f"{ORDERS}/2024-03-01.csv", csv_text(ORDERS_HEADER, v1, v2))
    report = load(con, landing)
    assert [f.file_path for f in report.files] == [
        f"{ORDERS}/2024-03-01.csv",
        f"{ORDERS}/2024-03-02.csv",
    ]
    rows = con.execute(
        "select status, _file, _line, _batch_id is not null, _loaded_at is not null "
        "from raw.crm_orders order by _loaded_at, _line"
    ).fetchall()
    assert rows == [
        ("placed", f"{ORDERS}/2024-03-01.csv", 2, True, True),
        ("paid", f"{ORDERS}/2024-03-01.csv", 3, True, True),
        ("shipped", f"{ORDERS}/2024-03-02.csv", 2, True, True),
    ]
    batches = con.execute("select count(distinct _batch_id) from raw.crm_orders").fetchone()[0]
    assert batches == 2
    # a changed file under an existing name is a new version: appended too
    v4 = "o1,c1,2024-03-01T10:00:00Z,web,delivered,EUR,10,1,2024-03-03T09:00:00Z"
    write(landing, f"{ORDERS}/2024-03-02.csv", csv_text(ORDERS_HEADER, v3, v4))
    load(con, landing)
    statuses = con.execute("select status from raw.crm_orders order by _loaded_at, _line")
    assert [s for (s,) in statuses.fetchall()] == [
        "placed",
        "paid",
        "shipped",
        "shipped",
        "delivered",
    ]
