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


def test_bad_byte_after_a_character_split_across_chunks(tmp_path, monkeypatch):
    # "é" (2 bytes) straddles the first chunk boundary: the decoder holds its first byte,
    # and the bad byte's position must still be counted in the file, not in the decoder
    monkeypatch.setattr(fingerprint, "CHUNK", 64)
    path = tmp_path / "e.jsonl"
    path.write_bytes(b"a" * 63 + "é".encode() + b"b" * 10 + b"\xff\n")
    fp = fingerprint.fingerprint(path, text=True, blank_lines=False)
    assert fp.utf8_error == "byte 0xff at byte offset 75 (line 1) is not valid UTF-8"
