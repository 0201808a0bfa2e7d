"""Line numbers stay right in files large enough for DuckDB to read in parallel.

With preserve_insertion_order off (the warehouse connection's setting, good for dbt) and a
memory_limit, DuckDB stored the lines of a ~350 MB file out of order: every `_line` in raw
and every line number in the quarantine pointed at another record. The loader now keeps
the order itself; this test fails without that.
"""

import json

import duckdb
import pytest
from loader_support import EVENTS, load

LINES = 850_000  # about 350 MB: smaller files were read in order
BAD_EVERY = 1_000


@pytest.mark.slow  # writes and loads a 350 MB file: `make test-slow`, a separate CI step
def test_line_numbers_of_a_large_file(tmp_path, landing):
    path = landing / EVENTS / "big.jsonl"
    path.parent.mkdir(parents=True)
    padding = "/p" * 150
    with path.open("w", encoding="utf-8") as f:
        for n in range(1, LINES + 1):
            event_at = "not a date" if n % BAD_EVERY == 0 else "2024-03-01T10:00:00Z"
            record = {"event_id": f"e{n}", "event_at": event_at, "anonymous_id": f"a{n}",
                      "event_type": "page_view", "page_url": padding}  # fmt: skip
            f.write(json.dumps(record) + "\n")
    con = duckdb.connect(
        str(tmp_path / "wh.duckdb"),
        config={"preserve_insertion_order": False, "memory_limit": "1GB", "threads": 2},
    )
    try:
        report = load(con, landing)
        assert report.rows_quarantined == LINES // BAD_EVERY
        misplaced_rows = con.execute(
            "select count(*) from raw.web_events where event_id != 'e' || _line"
        ).fetchone()[0]
        misplaced_quarantine = con.execute(
            "select count(*) from raw.quarantine "
            "where line % ? != 0 or original_text not like '%\"e' || line || '\"%'",
            [BAD_EVERY],
        ).fetchone()[0]
        assert (misplaced_rows, misplaced_quarantine) == (0, 0)
        # the connection's own setting is left as it was
        setting = "select current_setting('preserve_insertion_order')"
        assert con.execute(setting).fetchone()[0] is False
    finally:
        con.close()
