"""A lack of memory is not bad data: the file is left for the next run, not quarantined.

Seen on the default sample with CXW_MEMORY_LIMIT=40MB: every .gz web-event file was
quarantined as "cannot be read as text lines (Out of Memory Error: could not allocate block
of size 1.0 GiB ...)", recorded as handled, and the next run said "0 new": its rows were
lost without a word. Two faults: the loader asked DuckDB for 1 GiB read buffers
(buffer_size defaults to 16 x max_line_size = 16 x 64 MiB), and it took any DuckDB error
of the reader for a fault of the file.
"""

import gzip

import duckdb
import pytest
from loader_support import (
    EVENTS,
    GOOD_EVENT,
    GOOD_SURVEY,
    SURVEYS,
    SURVEYS_HEADER,
    csv_text,
    goods,
    load,
    write,
)  # fmt: skip

from orchestration.loader import ensure_raw_schema
from orchestration.loader.errors import LoadResourceError

EVENT_COUNT = 20_000


def events_gz(landing, name: str, count: int = EVENT_COUNT):
    text = "\n".join(goods(GOOD_EVENT, *range(1, count + 1))) + "\n"
    return write(landing, f"{EVENTS}/{name}", gzip.compress(text.encode()))


def handled(con) -> list[tuple]:
    return con.execute("select file_path, status from raw.load_log order by file_path").fetchall()


def test_out_of_memory_leaves_the_file_for_the_next_run(tmp_path, landing):
    events_gz(landing, "events_001.jsonl.gz")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"), config={"threads": 1})
    try:
        ensure_raw_schema(con)
        # far too little memory to stage 20 000 events (and no disk to spill them to)
        con.execute("set temp_directory = ''")
        con.execute("set memory_limit = '2MB'")
        with pytest.raises(LoadResourceError) as caught:
            load(con, landing)
        message = str(caught.value)
        # the error names the file, the resource and what to do
        assert message.startswith("web/events/events_001.jsonl.gz: not loaded")
        assert "memory" in message and "CXW_MEMORY_LIMIT" in message
        assert caught.value.kind == "memory"
        con.execute("set memory_limit = '1GB'")
        # nothing recorded: not handled, not quarantined, no partial rows
        assert handled(con) == []
        assert con.execute("select count(*) from raw.quarantine").fetchone() == (0,)
        assert con.execute("select count(*) from raw.web_events").fetchone() == (0,)
        assert not (tmp_path / "quarantine").exists()

        report = load(con, landing, quarantine_dir=tmp_path / "quarantine")
        # every one of the 20 000 lines is a valid event: all load on the retry
        assert [(f.status, f.rows_loaded) for f in report.files] == [("loaded", EVENT_COUNT)]
        assert handled(con) == [("web/events/events_001.jsonl.gz", "loaded")]
        assert con.execute("select count(*) from raw.web_events").fetchone() == (EVENT_COUNT,)
    finally:
        con.close()


def test_gz_file_loads_in_a_small_memory_limit(con, landing):
    """A .gz file, whose size DuckDB cannot know, is read with a 16 MiB buffer, not 1 GiB:
    4 000 events (about 0.6 MB of text) load within 40 MB."""
    events_gz(landing, "events_001.jsonl.gz", 4_000)
    con.execute("set memory_limit = '40MB'")
    report = load(con, landing)
    assert [(f.status, f.rows_loaded) for f in report.files] == [("loaded", 4_000)]


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_a_line_longer_than_the_first_read_size_loads(con, landing, kind):
    """A record of 3 MiB (longer than the first read's 2 MiB line size) is read again with
    the next size and loads whole, with the records around it (3 rows)."""
    long_text = "x" * (3 * 1024 * 1024)
    if kind == "jsonl":
        rows = goods(GOOD_EVENT, 1, 2, 3)
        rows[1] = rows[1].replace('"page_view"', f'"page_view","page_url":"{long_text}"')
        write(landing, f"{EVENTS}/events_001.jsonl", "\n".join(rows) + "\n")
        table, column = "web_events", "page_url"
    else:
        rows = goods(GOOD_SURVEY, 1, 2, 3)
        rows[1] = rows[1].replace(",great,", f',"{long_text}",')
        write(landing, f"{SURVEYS}/responses_001.csv", csv_text(SURVEYS_HEADER, *rows))
        table, column = "survey_responses", "comment"
    report = load(con, landing)
    assert [(f.status, f.rows_read, f.rows_loaded) for f in report.files] == [("loaded", 3, 3)]
    lengths = con.execute(f"select _line, length({column}) from raw.{table} order by _line")
    assert max(length for _, length in lengths.fetchall() if length) == len(long_text)
