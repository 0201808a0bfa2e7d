"""Right to erasure (`cxw forget`): afterwards the person is nowhere under CXW_DATA_DIR.

One prepared warehouse for the module: the sample run by `cxw run` (landing folder outside
the data folder: it belongs to the user), then `cxw forget --email` of a person with an
email, a phone, a web visitor id, orders, tickets and survey answers with a comment.
Looked for afterwards (case-insensitive, as a whole word): every raw spelling of their
emails and phones in the landing files, the normalised email and E.164 phone, their CRM
customer ids and web anonymous ids, and the unkeyed sha256 and md5 hex of each of those
and of their names; their first and last name together (a first or a last name alone is
shared by other people of the sample). Looked in: every value of every string column of
every table of every DuckDB file (DuckDB compresses strings, so its bytes prove nothing),
the bytes of every other file (gunzipped where gzip). Then `cxw run` again with the
landing folder still holding them, on the same warehouse and on a warehouse rebuilt from
the landing folder: still absent, and the KPIs equal an independent pandas recomputation
over the raw rows left (tests/test_kpis.py), i.e. changed only by the person's rows.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import zlib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.identifiers import normalize_identifier
from orchestration.secrets import identifier_hash
from tests.conftest import TEST_HMAC_KEY, cxw_env, run_cxw
from tests.test_kpis import recomputation_problems, scorecard_and_pandas

pytestmark = pytest.mark.slow

# the person: several identifiers and every kind of record (see `person`)
PERSON_SQL = """
with keys as (
    select
        customer_key,
        count(*) filter (where identifier_type = 'email') as emails,
        count(*) filter (where identifier_type = 'phone') as phones,
        count(*) filter (where identifier_type = 'anonymous_id') as visitors,
        min(identifier_value) filter (where identifier_type = 'crm_customer_id') as crm_id,
    from intermediate.int_identity__customer_keys
    where is_linked
    group by customer_key
),
orders as (select customer_key, count(*) as n from marts.fct_orders group by 1),
tickets as (select customer_key, count(*) as n from marts.fct_tickets group by 1),
answers as (
    select customer_key, count(comment) as comments from marts.fct_survey_responses group by 1
),
names as (
    select
        lower(customer_id) as crm_id,
        count(distinct lower(first_name || ' ' || last_name)) as spellings,
        any_value(lower(first_name || ' ' || last_name)) as full_name,
    from raw.crm_customers group by 1
),
name_holders as (
    select lower(first_name || ' ' || last_name) as full_name, count(distinct lower(customer_id)) n
    from raw.crm_customers group by 1
)
select keys.customer_key, keys.crm_id
from keys
join orders using (customer_key)
join tickets using (customer_key)
join answers using (customer_key)
join names using (crm_id)
join name_holders using (full_name)
where keys.emails = 1 and keys.phones = 1 and keys.visitors >= 1 and answers.comments >= 1
    and names.spellings = 1 and name_holders.n = 1
order by keys.visitors desc, orders.n desc, keys.customer_key
limit 1
"""


def _duckdb_files(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(12)[8:12] == b"DUCK":
                    found.append(path)
    return found


def _whole_word(needle: str) -> str:
    return r"(^|[^a-z0-9])" + re.escape(needle.lower()) + r"($|[^a-z0-9])"


def _any_word(needles: list[str]) -> str:
    return r"(^|[^a-z0-9])(" + "|".join(re.escape(n.lower()) for n in needles) + r")($|[^a-z0-9])"


def _duckdb_hits(database: Path, needles: list[str], name: tuple[str, str]) -> list[str]:
    """'file schema.table.column: value' for each string column value holding a needle,
    and 'file schema.table: their name' for each table with a row holding both names,
    over every table of `database`."""
    hits = []
    con = duckdb.connect(str(database), read_only=True)
    try:
        columns = con.execute(
            "select database_name, schema_name, table_name, column_name from duckdb_columns() "
            "where data_type in ('VARCHAR', 'JSON') and not internal"
        ).fetchall()
        first, last = (_whole_word(n) for n in name)
        pattern = _any_word(needles)
        tables: dict[tuple[str, str, str], list[str]] = {}
        for catalog, schema, table, column in columns:
            tables.setdefault((catalog, schema, table), []).append(column)
        for (catalog, schema, table), names in tables.items():
            relation = f'"{catalog}"."{schema}"."{table}"'
            lowered = [f'lower(cast("{c}" as varchar))' for c in names]
            for column, value in zip(names, lowered, strict=True):
                found = con.execute(
                    f"select distinct {value} from {relation} "
                    f"where regexp_matches({value}, ?) limit 5",
                    [pattern],
                ).fetchall()
                hits += [f"{database.name} {schema}.{table}.{column}: {v}" for (v,) in found]
            # the first name and the last name in one row (one column or two)
            text = " || ' ' || ".join(f"coalesce({v}, '')" for v in lowered)
            (count,) = con.execute(
                f"select count(*) from {relation} "
                f"where regexp_matches({text}, ?) and regexp_matches({text}, ?)",
                [first, last],
            ).fetchone()
            if count:
                hits.append(f"{database.name} {schema}.{table}: their name in {count} row(s)")
    finally:
        con.close()
    return hits


def _file_hits(path: Path, needles: list[str], name: tuple[str, str]) -> list[str]:
    raw = path.read_bytes()
    if raw.startswith(b"\x1f\x8b"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            raw = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(raw)
    text = raw.decode("utf-8", errors="replace").lower()
    hits = [f"{path}: {m.group(2)}" for m in re.finditer(_any_word(needles), text)]
    first, last = (_whole_word(n) for n in name)
    hits += [
        f"{path}: their name"
        for line in text.splitlines()
        if re.search(first, line) and re.search(last, line)
    ]
    return hits


def scan(data_dir: Path, needles: list[str], name: tuple[str, str], skip: list[Path]) -> list[str]:
    """Every occurrence of the person under `data_dir` (see the module docstring)."""
    databases = _duckdb_files(data_dir)
    hits = [h for db in databases for h in _duckdb_hits(db, needles, name)]
    for path in sorted(data_dir.rglob("*")):
        if (
            path.is_file()
            and not path.is_symlink()
            and path not in databases
            and not any(path.is_relative_to(s) for s in skip)
        ):
            hits += _file_hits(path, needles, name)
    return hits


@pytest.fixture(scope="module")
def erased(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("erasure")
    data_dir, landing = root / "data", root / "landing"
    shutil.copytree(sample_dir / "landing", landing)
    env = cxw_env(data_dir, CXW_LANDING_DIR=str(landing))
    result = run_cxw("run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    warehouse = data_dir / "warehouse" / "cx.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(PERSON_SQL).fetchone()
        assert row, "the sample has no person with every kind of record"
        customer_key, crm_id = row
        identifiers = con.execute(
            "select identifier_type, identifier_value "
            "from intermediate.int_identity__customer_keys where customer_key = ?",
            [customer_key],
        ).fetchall()
        names = con.execute(
            "select distinct first_name, last_name from raw.crm_customers "
            "where lower(customer_id) = ?",
            [crm_id],
        ).fetchall()
        spellings = con.execute(
            "select distinct v from (select unnest([email, phone]) as v from raw.crm_customers "
            "where lower(customer_id) = ? union all select contact_email from raw.crm_tickets "
            "where lower(customer_id) = ? union all select respondent_email "
            "from raw.survey_responses where lower(customer_id) = ?) where v is not null",
            [crm_id, crm_id, crm_id],
        ).fetchall()
        before_orders = con.execute(
            "select * from marts.fct_orders where customer_key <> ? order by all", [customer_key]
        ).df()
    assert len(names) == 1
    email = next(v for t, v in identifiers if t == "email")
    values = {v for _, v in identifiers} | {v.strip() for (v,) in spellings}
    first, last = names[0]
    hashed = {
        algorithm(form.encode()).hexdigest()
        for form in values | {first, last, f"{first} {last}"}
        for algorithm in (hashlib.sha256, hashlib.md5)
    }
    needles = sorted({v.lower() for v in values} | hashed)
    duckdb_before = {
        p: (p.stat().st_ino, p.stat().st_size)
        for p in _duckdb_files(data_dir)
        if _duckdb_hits(p, needles, (first, last))
    }
    result = run_cxw("forget", "--email", email.upper(), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return {
        "data_dir": data_dir,
        "landing": landing,
        "env": env,
        "customer_key": customer_key,
        "identifiers": identifiers,
        "email": email,
        "needles": needles,
        "name": (first, last),
        "duckdb_before": duckdb_before,
        "before_orders": before_orders,
        "stdout": result.stdout,
    }


def _absent(erased: dict) -> list[str]:
    return scan(erased["data_dir"], erased["needles"], erased["name"], skip=[])


def test_forget_leaves_no_value_of_the_person_under_the_data_folder(erased):
    # the needles were found before: the scan can find them (the list of DuckDB files
    # holding them is not empty), so 0 hits afterwards means erased, not unsearched
    assert erased["duckdb_before"], "the scan found the person nowhere even before forget"
    hits = _absent(erased)
    print(f"values found after erasure: {len(hits)}")
    assert hits == []


def test_duckdb_files_that_held_the_person_were_rewritten_not_deleted_from(erased):
    # a DELETE frees DuckDB blocks without wiping them: every file that held the person
    # must be a new file (other inode) or gone (an old release)
    for path, (inode, _size) in erased["duckdb_before"].items():
        assert not path.exists() or path.stat().st_ino != inode, path


def test_the_erasure_is_logged_with_a_keyed_hash_and_no_personal_data(erased):
    log = erased["data_dir"] / "privacy" / "erasures.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["identifier_type"] == "email"
    # HMAC-SHA256 of 'email:<normalised email>' with the test key
    assert entry["identifier_hash"] == identifier_hash(
        "email:" + normalize_identifier(erased["email"]), TEST_HMAC_KEY
    )
    assert entry["customers"] == 1
    assert sum(entry["raw_rows_deleted"].values()) > 0
    assert not _file_hits(log, erased["needles"], erased["name"])


def test_forget_names_the_landing_files_that_hold_the_person(erased):
    landing: Path = erased["landing"]
    holding = set()
    for path in landing.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            if path.name.endswith(".gz"):
                raw = gzip.decompress(raw)
            text = raw.decode("utf-8", errors="replace").lower()
            if any(re.search(_whole_word(v.lower()), text) for _, v in erased["identifiers"]):
                holding.add(path.relative_to(landing).as_posix())
    listed = {
        line.strip()
        for line in erased["stdout"].splitlines()
        if line.startswith("    ") and (landing / line.strip()).is_file()
    }
    assert holding and listed == holding


def _reconciles(con: duckdb.DuckDBPyConnection) -> None:
    bad = con.execute(
        "select file_path from raw.load_log "
        "where rows_read <> rows_loaded + rows_quarantined + rows_suppressed"
    ).fetchall()
    assert bad == []


def test_load_log_still_reconciles_with_the_erased_rows_counted_as_suppressed(erased):
    with duckdb.connect(str(erased["data_dir"] / "warehouse" / "cx.duckdb"), True) as con:
        _reconciles(con)
        (suppressed,) = con.execute("select sum(rows_suppressed) from raw.load_log").fetchone()
    entry = json.loads((erased["data_dir"] / "privacy" / "erasures.jsonl").read_text())
    assert suppressed == sum(entry["raw_rows_deleted"].values()) + entry["quarantine_lines_deleted"]


def _kpis_match_pandas(warehouse: Path) -> None:
    """kpi_scorecard (all_time) equals tests/test_kpis.py's pandas recomputation over the
    raw rows the warehouse holds now (the person's are gone)."""
    problems = recomputation_problems(*scorecard_and_pandas(warehouse))
    assert not problems, "\n".join(problems[:40])


def test_the_kpis_change_only_by_the_persons_rows(erased):
    warehouse = erased["data_dir"] / "warehouse" / "cx.duckdb"
    _kpis_match_pandas(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        after = con.execute(
            "select * from marts.fct_orders where customer_key <> ? order by all",
            [erased["customer_key"]],
        ).df()
        (theirs,) = con.execute(
            "select count(*) from marts.fct_orders where customer_key = ?",
            [erased["customer_key"]],
        ).fetchone()
    assert theirs == 0
    pd.testing.assert_frame_equal(after, erased["before_orders"])


def test_runs_after_forget_keep_the_person_out(erased):
    env, data_dir = erased["env"], erased["data_dir"]
    # 1. the same warehouse, the landing folder still holding the person
    result = run_cxw("run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _absent(erased) == []
    # 2. a warehouse rebuilt from the landing folder: every file loads again, and the
    # suppression list keeps the person's records out
    warehouse = data_dir / "warehouse" / "cx.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        kpis_before = con.execute("select * from marts.kpi_scorecard order by all").df()
    for path in warehouse.parent.glob("cx.duckdb*"):
        path.unlink()
    result = run_cxw("run", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "suppressed" in result.stdout
    hits = _absent(erased)
    print(f"values found after a rebuild from landing: {len(hits)}")
    assert hits == []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        _reconciles(con)
        (suppressed,) = con.execute("select sum(rows_suppressed) from raw.load_log").fetchone()
        kpis_after = con.execute("select * from marts.kpi_scorecard order by all").df()
    assert suppressed > 0
    pd.testing.assert_frame_equal(kpis_after, kpis_before)
    _kpis_match_pandas(warehouse)
