"""A fuzz corpus made by mutating good extracts: every input ends in a load that accounts
for every row (read = loaded + quarantined, in raw.load_log and in raw itself) or in a
clear resource error that leaves the file for the next run; never a crash.

Each case writes one mutated file next to a good one of another entity (which must load
whatever happens to its neighbour), runs the real loader on a real DuckDB file, and
checks the books. A last, slow case puts the whole corpus into one landing and runs
`cxw run`: exit 0, no traceback, every file accounted for.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from loader_support import (
    CUSTOMERS,
    CUSTOMERS_HEADER,
    EVENTS,
    GOOD_CUSTOMER,
    GOOD_EVENT,
    GOOD_ORDER,
    GOOD_SURVEY,
    ORDERS,
    ORDERS_HEADER,
    SURVEYS,
    SURVEYS_HEADER,
    csv_text,
    goods,
    write,
)

from orchestration.loader import load_landing
from orchestration.loader.errors import LoadResourceError

ORDERS_OK = csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 1, 2, 3))
EVENTS_OK = "\n".join(goods(GOOD_EVENT, 1, 2, 3)) + "\n"


def _event(**fields: object) -> str:
    base = {
        "event_id": "e9",
        "event_at": "2024-03-01T10:00:00Z",
        "anonymous_id": "a9",
        "event_type": "page_view",
    }
    return json.dumps({**base, **fields})


def _nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


# name -> writes the mutated file(s) into the landing folder
CASES: dict[str, Callable[[Path], None]] = {
    "truncated_gzip": lambda landing: write(
        landing, f"{EVENTS}/t.jsonl.gz", gzip.compress(EVENTS_OK.encode() * 50)[:-40]
    ),
    "nul_bytes": lambda landing: write(
        landing, f"{ORDERS}/nul.csv", ORDERS_OK.replace("web", "w\x00eb", 1).encode()
    ),
    "fifty_mb_line": lambda landing: write(
        landing,
        f"{SURVEYS}/big.csv",
        csv_text(SURVEYS_HEADER, GOOD_SURVEY.format(n=1).replace("great", "x" * 50_000_000)),
    ),
    "json_value_of_wrong_type": lambda landing: write(
        landing,
        f"{EVENTS}/types.jsonl",
        "\n".join(
            [
                _event(event_id="e1", event_at=1709287200),
                _event(event_id="e2", anonymous_id={"nested": True}),
                _event(event_id="e3", properties="not an object"),
                _event(event_id="e4", event_type=["page_view"]),
                _event(event_id="e5"),
            ]
        )
        + "\n",
    ),
    "deeply_nested_properties": lambda landing: write(
        landing,
        f"{EVENTS}/deep.jsonl",
        _event(event_id="e1").removesuffix("}")
        + ', "properties": '
        + _nested(5000)
        + "}\n"
        + _event(event_id="e2")
        + "\n",
    ),
    "huge_numbers": lambda landing: write(
        landing,
        f"{ORDERS}/huge.csv",
        csv_text(
            ORDERS_HEADER,
            GOOD_ORDER.format(n=1).replace("12.50", "1e400"),
            GOOD_ORDER.format(n=2).replace(",2,", ",99999999999999999999999,"),
            GOOD_ORDER.format(n=3).replace("12.50", "9" * 400),
            GOOD_ORDER.format(n=4),
        ),
    ),
    "impossible_dates": lambda landing: write(
        landing,
        f"{ORDERS}/dates.csv",
        csv_text(
            ORDERS_HEADER,
            GOOD_ORDER.format(n=1).replace("2024-03-01T10:00:00Z", "2026-02-30T10:00:00Z"),
            GOOD_ORDER.format(n=2).replace("2024-03-01T10:00:00Z", "2026-13-01T10:00:00Z"),
            GOOD_ORDER.format(n=3).replace("2024-03-01T10:00:00Z", "2026-01-01T25:61:00Z"),
            GOOD_ORDER.format(n=4),
        ),
    ),
    "mixed_offsets": lambda landing: write(
        landing,
        f"{ORDERS}/offsets.csv",
        csv_text(
            ORDERS_HEADER,
            GOOD_ORDER.format(n=1).replace("2024-03-01T10:00:00Z", "2024-03-01T10:00:00+02:00"),
            GOOD_ORDER.format(n=2).replace("2024-03-01T10:00:00Z", "2024-03-01T10:00:00-05:30"),
            GOOD_ORDER.format(n=3).replace("2024-03-01T10:00:00Z", "2024-03-01 10:00:00"),
            GOOD_ORDER.format(n=4),
        ),
    ),
    "empty_file": lambda landing: write(landing, f"{ORDERS}/empty.csv", b""),
    "header_only": lambda landing: write(landing, f"{ORDERS}/header.csv", ORDERS_HEADER + "\n"),
    "directory_named_like_a_file": lambda landing: (landing / ORDERS / "dir.csv").mkdir(
        parents=True
    ),
    "binary_garbage": lambda landing: write(landing, f"{ORDERS}/garbage.csv", os.urandom(4096)),
    "garbage_parquet": lambda landing: write(landing, f"{ORDERS}/bad.parquet", b"PAR1" * 100),
}


def _books(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Files whose load-log counts disagree with raw or with the quarantine."""
    tables = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    wrong = []
    for batch, entity, path, status, read, loaded, quarantined in con.execute(
        "select batch_id, entity, file_path, status, rows_read, rows_loaded, rows_quarantined "
        "from raw.load_log"
    ).fetchall():
        in_raw = (
            con.execute(
                f"select count(*) from raw.{entity} where _batch_id = ?", [batch]
            ).fetchone()[0]
            if entity in tables
            else 0
        )
        in_quarantine = con.execute(
            "select count(*) from raw.quarantine where batch_id = ? and line is not null", [batch]
        ).fetchone()[0]
        if read != loaded + quarantined or in_raw != loaded or in_quarantine != quarantined:
            wrong.append((path, status, read, loaded, quarantined, in_raw, in_quarantine))
    return wrong


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_mutated_file_is_accounted_for(case: str, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write(landing, f"{CUSTOMERS}/good.csv", csv_text(CUSTOMERS_HEADER, *goods(GOOD_CUSTOMER, 1, 2)))
    CASES[case](landing)
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        try:
            report = load_landing(con, landing)
        except LoadResourceError as error:  # a clear, retryable error is fine; a crash is not
            assert "the next run loads it" in str(error)
            return
        assert _books(con) == []
        # the good neighbour always loads
        assert con.execute("select count(*) from raw.crm_customers").fetchone()[0] == 2
        for result in report.files:
            assert result.rows_read == result.rows_loaded + result.rows_quarantined, result
        # every mutated file is in the load log (loaded, quarantined or ignored), none lost
        logged = {p for (p,) in con.execute("select file_path from raw.load_log").fetchall()}
        files = {p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file()}
        assert files <= logged


def test_a_file_that_vanishes_after_listing_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed, then deleted before it is read (a user moving files mid-run): the run loads
    the rest and does not record the vanished file as handled, so it loads if it comes back."""
    import orchestration.loader.load as load_module

    landing = tmp_path / "landing"
    gone = write(landing, f"{ORDERS}/a.csv", ORDERS_OK)
    write(landing, f"{ORDERS}/b.csv", csv_text(ORDERS_HEADER, *goods(GOOD_ORDER, 7, 8)))
    listed = load_module.list_landing  # the load's one listing of the landing folder

    def list_then_delete(*args, **kwargs):
        files = listed(*args, **kwargs)
        if gone.exists():
            gone.unlink()
        return files

    monkeypatch.setattr(load_module, "list_landing", list_then_delete)
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        try:
            load_landing(con, landing)
        except LoadResourceError as error:
            assert "a.csv" in str(error)
        logged = {p for (p,) in con.execute("select file_path from raw.load_log").fetchall()}
        assert "crm/orders/a.csv" not in logged
        assert _books(con) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_an_unreadable_file_is_a_resource_error_not_bad_data(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    locked = write(landing, f"{ORDERS}/locked.csv", ORDERS_OK)
    locked.chmod(0)
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        with pytest.raises(LoadResourceError, match=r"locked\.csv"):
            load_landing(con, landing)
        assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0


@pytest.mark.slow
def test_the_whole_corpus_through_cxw_run(tmp_path: Path) -> None:
    from tests.conftest import cxw_env, run_cxw

    data_dir = tmp_path / "data"
    landing = data_dir / "landing"
    write(landing, f"{CUSTOMERS}/good.csv", csv_text(CUSTOMERS_HEADER, *goods(GOOD_CUSTOMER, 1, 2)))
    for name, mutate in sorted(CASES.items()):
        case_landing = tmp_path / "cases" / name
        mutate(case_landing)
        for path in case_landing.rglob("*"):
            if path.is_file():  # one folder per case, so names never collide
                target = landing / path.parent.relative_to(case_landing) / f"{name}_{path.name}"
                target.parent.mkdir(parents=True, exist_ok=True)
                path.rename(target)
    result = run_cxw("run", env=cxw_env(data_dir))
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.returncode == 0, output[-3000:]
    with duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True) as con:
        assert _books(con) == []
        logged = {p for (p,) in con.execute("select file_path from raw.load_log").fetchall()}
    files = {p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file()}
    assert files <= logged
