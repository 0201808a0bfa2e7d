import gzip

import pytest
from loader_support import (
    EVENTS,
    GOOD_EVENT,
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

from orchestration.loader import fingerprint


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


@pytest.mark.parametrize("compressed", [False, True])
def test_line_of_a_bad_byte_far_into_a_json_lines_file(con, landing, monkeypatch, compressed):
    # small chunks: the bad byte lies many chunks into the file, past the first pass's
    # chunk boundaries, and its line is found by reading the file again
    monkeypatch.setattr(fingerprint, "CHUNK", 64)
    lines = goods(GOOD_EVENT, *range(1, 41))
    lines[29] = lines[29].replace("page_view", "caf\xe9")
    data = ("\n".join(lines) + "\n").encode("latin-1")
    name = f"{EVENTS}/e.jsonl" + (".gz" if compressed else "")
    write(landing, name, gzip.compress(data) if compressed else data)
    message = assert_file_quarantined(con, load(con, landing), name, "not_utf8")
    assert "(line 30)" in message, message
