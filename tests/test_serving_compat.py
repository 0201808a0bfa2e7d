"""A release opens in the DuckDB 1.x readers that BI tools, Node and duckdb-wasm embed.

The fast test reads the storage format the release file declares; the slow test installs
each reader version from PyPI into a throw-away venv and opens a release with it.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
import venv
from pathlib import Path

import duckdb
import pytest

from orchestration import serving

# The oldest 1.x line the storage format allows, and the two lines BI connectors embed now.
READER_VERSIONS = ("1.2.2", "1.4.4", "1.5.6")


def write_warehouse(path: Path) -> None:
    """One mart with every column type the marts publish, and a comment on it."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.fct_example as
        select range::bigint as id, range::integer as small, 'row ' || range as name,
               (range / 4)::double as ratio, (range * 1.25)::decimal(18, 6) as amount,
               range % 2 = 0 as flag, date '2026-01-01' + range::integer as day,
               timestamp '2026-01-01 10:00:00' + to_hours(range) as seen_at
        from range(1000)
        """
    )
    con.execute("comment on table marts.fct_example is 'every published type'")
    con.close()


@pytest.fixture()
def release(tmp_path: Path) -> Path:
    warehouse = tmp_path / "wh.duckdb"
    write_warehouse(warehouse)
    serving_path = tmp_path / "serving" / "cx.duckdb"
    serving.publish(warehouse, serving_path)
    return serving_path


def test_release_is_written_in_the_compatibility_storage_format(release: Path) -> None:
    con = duckdb.connect(str(release), read_only=True)
    try:
        tags = con.execute(
            "select tags from duckdb_databases() where database_name = current_database()"
        ).fetchone()[0]
    finally:
        con.close()
    # a writer's default format is its own version (v2.0.0+ for duckdb 2.0)
    assert tags["storage_version"] == serving.STORAGE_COMPATIBILITY_VERSION + "+"


READER = textwrap.dedent(
    """
    import json, sys
    import duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print(json.dumps({
        "version": duckdb.__version__,
        "rows": con.execute(
            "select count(*), sum(id), sum(amount)::varchar, count(*) filter (where flag), "
            "max(day)::varchar, max(seen_at)::varchar from marts.fct_example"
        ).fetchone(),
        "comment": con.execute(
            "select comment from duckdb_tables() where table_name = 'fct_example'"
        ).fetchone()[0],
        "release_id": con.execute("select release_id from meta.release").fetchone()[0],
    }))
    """
)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("version", READER_VERSIONS)
def test_an_older_duckdb_reader_opens_a_release(
    release: Path, tmp_path: Path, version: str
) -> None:
    env_dir = tmp_path / f"duckdb-{version}"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"duckdb=={version}"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    read = subprocess.run(
        [str(python), "-c", READER, str(release)], capture_output=True, text=True, timeout=120
    )
    assert read.returncode == 0, read.stderr
    result = json.loads(read.stdout)
    assert result["version"] == version
    # ids 0..999: sum 999·1000/2 = 499500; amounts 1.25 × 499500 = 624375; 500 even ids;
    # last day 2026-01-01 + 999 days = 2028-09-26; last hour 999 h = 41 d 15 h after 10:00
    assert result["rows"] == [
        1000,
        499500,
        "624375.000000",
        500,
        "2028-09-26",
        "2026-02-12 01:00:00",
    ]
    assert result["comment"] == "every published type"
    assert result["release_id"] == serving.current_release(release).stem
