"""The benchmark (`make bench`) at its smallest scale, end to end, so it cannot rot."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.cache import SCALES, ensure_landing
from benchmarks.increment import PREFIX, _source, write_increment
from benchmarks.measure import SKIPPED, parse_run_output
from benchmarks.release import release_delta
from benchmarks.report import check_targets, format_table, growth, ratios
from orchestration.config import default_memory_limit
from orchestration.loader.contract import ENTITIES, TIMESTAMP
from orchestration.runner import CheckOutcome, RunReport, report_summary
from tests.conftest import REPO, cxw_env

KPIS = {
    "nps",
    "csat",
    "ces",
    "repeat_customer_rate",
    "purchase_frequency",
    "average_order_value",
    "customer_lifetime_value",
    "churn_rate",
    "conversion_rate",
    "cart_abandonment_rate",
    "first_response_time_hours",
    "resolution_time_hours",
    "first_contact_resolution_rate",
    "self_service_rate",
}
# KPIs whose definition does not depend on identity stitching: the floor must agree exactly.
# average_order_value is not among them any more: the pipeline converts orders into the
# reporting currency (exchange-rate seed) and the floor's hand-written SQL adds them as
# they are.
EXACT_KPIS = {
    "nps",
    "csat",
    "ces",
    "conversion_rate",
    "cart_abandonment_rate",
    "first_response_time_hours",
    "resolution_time_hours",
    "first_contact_resolution_rate",
}


def test_parse_run_output_reads_the_json_summary() -> None:
    report = RunReport(
        run_id="abc",
        success=True,
        rows={"rows_read": 120, "rows_loaded": 110, "rows_quarantined": 10},
        published_release="r1",
        checks=[CheckOutcome("marts/x", "c", True, "ERROR")],
        phase_seconds={"ingest": 1.0, "dbt": 8.04, "checks": 2.0, "publish": 1.3},
    )
    # what `cxw run --json` prints on stdout: the summary, one JSON object on one line
    parsed = parse_run_output(json.dumps(report_summary(report)) + "\n")
    assert parsed["ok"]
    assert parsed["phases"] == {"ingest": 1.0, "dbt": 8.0, "checks": 2.0, "publish": 1.3}
    assert parsed["pipeline_seconds"] == pytest.approx(12.3)
    assert (parsed["rows_read"], parsed["rows_loaded"], parsed["rows_quarantined"]) == (
        120,
        110,
        10,
    )


def test_growth_exponent_is_one_when_time_grows_with_rows() -> None:
    def result(scale: str, rows: int, seconds: float) -> dict:
        timing = {"wall_seconds": seconds}
        return {
            "scale": scale,
            "data": {"rows": {"web_events": rows}},
            "full": timing,
            "floor": timing,
            "incremental": timing,
        }

    (step,) = growth([result("a", 1000, 2.0), result("b", 10_000, 20.0)])
    assert step["rows_ratio"] == 10
    assert step["full_exponent"] == pytest.approx(1.0)


def test_a_skipped_incremental_run_is_reported_as_not_measured() -> None:
    # `--no-incremental`: the full run and the floor are measured, the incremental is not
    def result(scale: str, rows: int, seconds: float) -> dict:
        full = {"ok": True, "wall_seconds": seconds, "pipeline_seconds": seconds - 1.0}
        full |= {"peak_rss_bytes": 2 * 1024**3, "phases": {"checks": 1.0}}
        floor = {"ok": True, "wall_seconds": seconds / 2, "peak_rss_bytes": 1024**3}
        r = {"scale": scale, "data": {"rows": {"web_events": rows}}, "full": full}
        r |= {"floor": floor, "incremental": SKIPPED}
        r["ratios"] = ratios(r)
        return r

    results = [result("a", 1000, 11.0), result("b", 3000, 33.0)]
    assert results[1]["ratios"]["incremental_over_full"] is None
    assert results[1]["ratios"]["peak_rss_gib"] == 2.0
    assert results[1]["ratios"]["full_over_floor"] == 2.0
    (step,) = growth(results)
    assert step["full_exponent"] == pytest.approx(1.0)
    assert step["incremental_exponent"] is None
    targets = check_targets(results)
    incremental = next(c for c in targets["checks"] if c["name"] == "incremental_over_full")
    assert (incremental["value"], incremental["met"]) == (None, False)
    table = format_table({"scales": results, "growth": [step], "targets": targets})
    assert "MISSED incremental" not in table
    assert "-      incremental / full run" in table


def _read_all_varchar(path: Path, columns: list[str]) -> str:
    """A file of the increment (.jsonl for web events, .csv for the others) as text."""
    if path.suffix == ".jsonl":
        typed = ", ".join(f"{c}: 'varchar'" for c in columns)
        return f"read_json('{path}', format = 'newline_delimited', columns = {{{typed}}})"
    return f"read_csv('{path}', header = true, all_varchar = true)"


def test_increment_is_new_records_no_later_than_its_extract_time(
    sample_dir: Path, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(sample_dir / "landing", landing)
    fraction = 0.05
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    utc = "cast(try_cast({} as timestamptz) as timestamp)"  # offsets count, as in the loader
    spans = {}
    for entity in ENTITIES:
        when = next(c.name for c in entity.columns if c.type == TIMESTAMP and c.required)
        columns = [c.name for c in entity.columns if c.type == TIMESTAMP]
        # the rows a batch is drawn from: a key, and every timestamp empty or valid
        clean = " and ".join(
            f"({utc.format(c)} is not null or nullif(trim({c}), '') is null)" for c in columns
        )
        first, last = con.execute(
            f"select min(t), max(t) from (select {utc.format(when)} as t "
            f"from {_source(entity, landing)} "
            f"where nullif(trim({entity.key}), '') is not null and {clean})"
        ).fetchone()
        spans[entity.name] = (when, last, last + (last - first) * fraction)

    batches = write_increment(landing, fraction=fraction, seed=3)

    assert {b.entity for b in batches} == {e.name for e in ENTITIES}
    capped = 0
    for batch in batches:
        entity = next(e for e in ENTITIES if e.name == batch.entity)
        when, last, extracted_at = spans[entity.name]
        columns = [c.name for c in entity.columns if c.type == TIMESTAMP]
        source = _read_all_varchar(batch.path, [entity.key, *columns])
        rows, new_keys = con.execute(
            f"select count(*), count(*) filter (where {entity.key} like ?) from {source}",
            [f"{PREFIX.removeprefix('zz_')}1_%"],
        ).fetchone()
        assert rows == batch.rows > 0 and new_keys == rows, batch
        # every record happened after the newest landed one; no timestamp is later than
        # the time the extract was taken (the end of the span the batch covers)
        assert con.execute(f"select min({utc.format(when)}) from {source}").fetchone()[0] >= last
        for column in columns:
            latest, at_cap = con.execute(
                f"select max({utc.format(column)}), "
                f"count(*) filter (where {utc.format(column)} >= ?) from {source}",
                [extracted_at.replace(microsecond=0)],
            ).fetchone()
            assert latest is None or latest <= extracted_at, (batch.entity, column, latest)
            capped += at_cap
    # a customer updated long after signing up, at least, was moved only up to that time
    assert capped > 0


def _release(path: Path, tables: dict[str, list[tuple[int, str]]]) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    for name, rows in tables.items():
        con.execute(f"create table marts.{name} (id integer, value varchar)")
        con.executemany(f"insert into marts.{name} values (?, ?)", rows)
    con.close()
    return path


def test_release_delta_counts_rows_changed_and_removed_table_by_table(tmp_path: Path) -> None:
    before = _release(
        tmp_path / "before.duckdb",
        {
            "same": [(1, "a"), (2, "b")],
            "edited": [(1, "a"), (2, "b"), (3, "c")],
            "dropped": [(1, "a")],
        },
    )
    after = _release(
        tmp_path / "after.duckdb",
        {
            "same": [(2, "b"), (1, "a")],  # another order is no change
            "edited": [(1, "a"), (2, "B"), (4, "d"), (4, "d")],  # a duplicate counts twice
            "added": [(1, "a"), (2, "b")],
        },
    )
    delta = release_delta(before, after)
    assert delta["tables"] == {
        "added": {"rows": 2, "changed": 2, "removed": 0},
        "dropped": {"rows": 0, "changed": 0, "removed": 1},
        "edited": {"rows": 4, "changed": 3, "removed": 2},
        "same": {"rows": 2, "changed": 0, "removed": 0},
    }
    assert (delta["rows"], delta["changed"]) == (8, 5)
    assert delta["changed_share"] == pytest.approx(5 / 8, abs=1e-4)


@pytest.mark.slow  # about two minutes: `make test-slow`, a separate CI step
def test_benchmark_smallest_scale_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    env = cxw_env(tmp_path / "data")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--scales",
            "tiny",
            "--out",
            str(out),
            "--memory-limit",
            "default",
        ],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        # two minutes alone; over ten on a loaded machine (two runs of the pipeline)
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "full/fl" in result.stdout  # the table was printed

    report = json.loads((out / "latest.json").read_text())
    assert list(out.glob("results-*.json"))
    (scale,) = report["scales"]
    assert scale["scale"] == "tiny"
    # `default` is the pipeline's default limit for this machine, written out
    (section,) = report["by_memory_limit"]
    assert section["memory_limit_given"] == "default"
    assert section["memory_limit"] == default_memory_limit(2)  # CXW_THREADS=2 (cxw_env)
    assert section["scales"] == report["scales"]
    assert "(the default for this machine)" in result.stdout
    for part in ("full", "incremental"):
        run = scale[part]
        assert run["ok"], run.get("output_tail")
        assert run["wall_seconds"] > 0 and run["pipeline_seconds"] > 0
        assert set(run["phases"]) == {"ingest", "dbt", "checks", "publish"}
        assert run["peak_rss_bytes"] > 50 * 2**20  # Python + Dagster + DuckDB, at least
    assert scale["incremental"]["rows_added"]["web_events"] >= 1
    # the incremental run's release against the full run's: new events change some rows
    delta = scale["incremental"]["published_delta"]
    assert {"dim_customers", "fct_web_sessions", "kpi_scorecard"} <= set(delta["tables"])
    assert 0 < delta["changed"] <= delta["rows"]
    assert delta["tables"]["fct_web_sessions"]["changed"] >= 1
    assert "published rows the incremental run changed at tiny" in result.stdout
    floor = scale["floor"]
    assert floor["ok"], floor.get("output_tail")
    assert floor["wall_seconds"] > 0 and floor["query_seconds"] > 0
    assert floor["peak_rss_bytes"] > 0
    for name in ("full_over_floor", "incremental_over_full", "checks_over_full", "peak_rss_gib"):
        assert scale["ratios"][name] is not None, name
    assert {c["name"] for c in report["targets"]["checks"]} == {
        "full_over_floor",
        "incremental_over_full",
        "peak_rss_gib",
        "checks_over_full",
    }
    assert report["growth"] == []  # one scale: nothing to grow from

    kpis = scale["kpis"]
    assert set(kpis) == KPIS
    assert all(kpis[k]["floor"] is not None for k in KPIS), kpis
    for kpi in EXACT_KPIS:
        assert kpis[kpi]["floor"] == pytest.approx(kpis[kpi]["pipeline"], rel=1e-6), kpi

    # the landing data is cached: asking for the scale again does not generate it again
    _, info = ensure_landing(SCALES["tiny"], out / "cache")
    assert info["cached"]
