"""The dashboard's pages without a browser (streamlit.testing AppTest) on a real release.

The release is the one `cxw run` published from the sample (conftest's pipeline_dir). Each
expected number is read from the release with its own SQL, independently of the app's
queries, and formatted as the tile shows it (one decimal, two for CES and hours).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from orchestration import serving

APP = str(Path(__file__).resolve().parent.parent / "orchestration" / "dashboard" / "app.py")
PAGES = ("overview", "experience", "commerce", "web", "service", "customers")


@pytest.fixture(scope="module")
def release_dir(pipeline_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample's serving folder (tests here publish into it)."""
    folder = tmp_path_factory.mktemp("dashboard")
    shutil.copytree(pipeline_dir / "serving", folder / "serving")
    return folder


@pytest.fixture()
def app_env(release_dir: Path, pipeline_dir: Path) -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CXW_DATA_DIR", str(release_dir))
        mp.setenv("CXW_SERVING_PATH", str(release_dir / "serving" / "cx.duckdb"))
        mp.setenv("CXW_WAREHOUSE_PATH", str(pipeline_dir / "warehouse" / "cx.duckdb"))
        yield mp


def run_app(page: str = "overview") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["page"] = page
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def scorecard(path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def all_time(path: Path) -> dict[str, tuple]:
    rows = scorecard(
        path,
        "select kpi, value, margin_of_error_95 from marts.kpi_scorecard "
        "where grain = 'all_time' and dimension = 'overall'",
    )
    return {kpi: (value, moe) for kpi, value, moe in rows}


def monthly(path: Path, kpi: str) -> list[tuple]:
    return scorecard(
        path,
        "select period_start, value from marts.kpi_scorecard where kpi = ? and "
        "grain = 'month' and dimension = 'overall' order by period_start desc",
        [kpi],
    )


def metrics(at: AppTest) -> dict[str, tuple[str, str | None]]:
    return {m.label.split(" (")[0]: (m.value, m.delta) for m in at.metric}


def test_overview_tiles_are_the_scorecard(app_env, release_dir: Path) -> None:
    path = release_dir / "serving" / "cx.duckdb"
    at = run_app()
    tiles = metrics(at)
    values = all_time(path)
    nps, moe = values["nps"]
    assert tiles["NPS"][0] == f"{nps:,.1f} ± {moe:.1f}"
    assert tiles["CSAT"][0] == f"{values['csat'][0]:,.1f} %"
    assert tiles["CES"][0] == f"{values['ces'][0]:,.2f} / 7"
    assert tiles["Conversion"][0] == f"{values['conversion_rate'][0]:,.1f} %"
    assert tiles["First response time"][0] == (f"{values['first_response_time_hours'][0]:,.2f} h")
    assert tiles["First contact resolution"][0] == (
        f"{values['first_contact_resolution_rate'][0]:,.1f} %"
    )
    assert tiles["Churn"][0] == f"{values['churn_rate'][0]:,.1f} %"
    assert tiles["CLV"][0] == f"{values['customer_lifetime_value'][0]:,.1f}"
    # the change: the latest month's NPS minus the month before's, both as published
    (latest, now), (before, then) = monthly(path, "nps")[:2]
    assert tiles["NPS"][1] == f"{now - then:+.1f} ({latest:%Y-%m} vs {before:%Y-%m})"
    release_id = scorecard(path, "select release_id from meta.release")[0][0]
    assert any(release_id in c.value for c in at.caption)
    # the sample's run raised no warnings: the overview says so rather than showing nothing
    assert any("no quality warnings" in s.value for s in at.success)


def test_period_filter_shows_that_months_values(app_env, release_dir: Path) -> None:
    path = release_dir / "serving" / "cx.duckdb"
    at = run_app()
    (_, _), (month, csat), (before, csat_before) = monthly(path, "csat")[:3]
    at.sidebar.selectbox(key="period").set_value(f"{month:%Y-%m}").run()
    tiles = metrics(at)
    assert tiles["CSAT"] == (
        f"{csat:,.1f} %",
        f"{csat - csat_before:+.1f} ({month:%Y-%m} vs {before:%Y-%m})",
    )


def test_breakdown_filter_lists_the_scorecards_values(app_env, release_dir: Path) -> None:
    path = release_dir / "serving" / "cx.duckdb"
    at = run_app()
    at.sidebar.selectbox(key="overview_breakdown").set_value("touchpoint").run()
    expected = scorecard(
        path,
        "select dimension_value, value from marts.kpi_scorecard "
        "where kpi = 'nps' and grain = 'all_time' and dimension = 'touchpoint'",
    )
    table = at.dataframe[-1].value
    # a touchpoint with answers of other survey types only has a NULL nps (no data)
    assert {(k, round(v, 2)) for k, v in expected if v is not None} == {
        (k, v) for k, v in table["nps"].items() if v == v
    }
    assert {k for k, _ in expected} <= set(table.index)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_charts_without_errors(app_env, page: str) -> None:
    at = run_app(page)
    assert at.header[0].value.lower() == page
    assert not at.error and not at.warning
    assert at.get("vega_lite_chart") or page == "overview"  # no blank page
    assert not at.info, [i.value for i in at.info]  # the sample has every input


SERVICE_LEVELS = {
    # tile label -> (kpi, unit, digits) as the service page formats kpi_scorecard's value
    "Business-hours first response": ("first_response_time_business_hours", " h", 2),
    "Business-hours resolution": ("resolution_time_business_hours", " h", 2),
    "First response SLA breaches": ("sla_breach_rate", " %", 1),
    "Resolution SLA breaches": ("resolution_sla_breach_rate", " %", 1),
    "Reopen rate": ("reopen_rate", " %", 1),
    "Two-touch resolution": ("two_touch_resolution_rate", " %", 1),
}


def test_service_levels_are_the_scorecard(app_env, release_dir: Path) -> None:
    path = release_dir / "serving" / "cx.duckdb"
    at = run_app("service")
    tiles = {m.label: m.value for m in at.metric}
    values = all_time(path)
    for label, (kpi, unit, digits) in SERVICE_LEVELS.items():
        assert values[kpi][0] is not None, kpi  # the sample has every input
        assert tiles[label] == f"{values[kpi][0]:,.{digits}f}{unit}", label
    # a month: that month's published values (no change computed for these tiles)
    month, reopen = monthly(path, "reopen_rate")[1]
    at.sidebar.selectbox(key="period").set_value(f"{month:%Y-%m}").run()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Reopen rate"] == f"{reopen:,.1f} %"
    assert any(s.value == f"Service levels ({month:%Y-%m})" for s in at.subheader)


def test_backlog_is_the_mart_summed_over_priorities(app_env, release_dir: Path) -> None:
    """release.backlog: service_backlog_daily per day and channel, cut at the period."""
    from orchestration.dashboard.release import Release, connect

    path = release_dir / "serving" / "cx.duckdb"
    rows = scorecard(
        path,
        "select backlog_date, channel, priority, open_tickets from marts.service_backlog_daily",
    )
    last_day = max(r[0] for r in rows)
    expected = {}  # (day, channel) -> open tickets, adding the priorities by hand
    for day, channel, _, open_tickets in rows:
        expected[(day, channel)] = expected.get((day, channel), 0) + open_tickets
    release = Release(connect(path))
    frame = release.backlog()
    got = {
        (d.date(), c): n
        for d, c, n in zip(
            frame["backlog_date"], frame["channel"], frame["open_tickets"], strict=True
        )
    }
    assert got == expected and len({c for _, c in got}) > 1
    cut = release.backlog(last_day.replace(day=1))
    assert cut["backlog_date"].max().date() == last_day.replace(day=1)


def test_new_release_is_picked_up_without_restart(
    app_env, release_dir: Path, pipeline_dir: Path
) -> None:
    serving_path = release_dir / "serving" / "cx.duckdb"
    at = run_app()
    before = scorecard(serving_path, "select release_id from meta.release")[0][0]
    assert any(before in c.value for c in at.caption)
    release = serving.publish(pipeline_dir / "warehouse" / "cx.duckdb", serving_path)
    at.run()  # the next rerun of the same session, as after a click
    assert not at.exception
    assert any(release.release_id in c.value for c in at.caption)
    assert not any(before in c.value for c in at.caption)


def test_the_build_file_is_refused(app_env, pipeline_dir: Path) -> None:
    app_env.setenv("CXW_SERVING_PATH", str(pipeline_dir / "warehouse" / "cx.duckdb"))
    at = run_app()
    assert "is the build file" in at.warning[0].value
    assert not at.metric


def test_no_release_yet_says_what_to_run(app_env, tmp_path: Path) -> None:
    app_env.setenv("CXW_SERVING_PATH", str(tmp_path / "serving" / "cx.duckdb"))
    at = run_app()
    assert "make run" in at.warning[0].value


# Survey answers only. The release is the sample's with every other input absent, in the
# shape the serving contract gives absent inputs: no rows in the other facts and marts, and
# each other KPI's all_time/overall row with value NULL and sample_size 0. (A real
# survey-only run is the browser test's, tests/test_dashboard_browser.py.)
NON_SURVEY_MARTS = (
    "fct_orders", "fct_tickets", "fct_web_sessions", "customer_cohorts", "clv_predictions",
    "web_funnel", "service_kpis", "service_backlog_daily", "advocates",
)  # fmt: skip


@pytest.fixture(scope="module")
def survey_only_release(pipeline_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("survey_only")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(pipeline_dir / "warehouse" / "cx.duckdb", warehouse)
    con = duckdb.connect(str(warehouse))
    for table in NON_SURVEY_MARTS:
        con.execute(f"delete from marts.{table}")
    con.execute(
        "delete from marts.kpi_scorecard where kpi not in ('nps', 'csat', 'ces') "
        "and not (grain = 'all_time' and dimension = 'overall')"
    )
    con.execute(
        "update marts.kpi_scorecard set value = null, numerator = null, denominator = null, "
        "sample_size = 0, margin_of_error_95 = null where kpi not in ('nps', 'csat', 'ces')"
    )
    con.close()
    serving_path = folder / "serving" / "cx.duckdb"
    serving.publish(warehouse, serving_path)
    return serving_path


@pytest.fixture()
def survey_env(survey_only_release: Path) -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CXW_DATA_DIR", str(survey_only_release.parent.parent))
        mp.setenv("CXW_SERVING_PATH", str(survey_only_release))
        yield mp


def test_survey_only_overview_says_which_input_is_missing(
    survey_env, survey_only_release: Path
) -> None:
    at = run_app()
    tiles = metrics(at)
    nps, moe = all_time(survey_only_release)["nps"]
    assert tiles["NPS"][0] == f"{nps:,.1f} ± {moe:.1f}"
    for label in ("Conversion", "First response time", "Churn", "CLV"):
        assert tiles[label][0] == "no data" and not tiles[label][1]
    needs = [c.value for c in at.caption if c.value.startswith("needs")]
    assert "needs web sessions (web_events)" in needs
    assert "needs non-cancelled orders (crm_orders)" in needs


@pytest.mark.parametrize(
    ("page", "missing"),
    [
        ("experience", None),
        ("commerce", "orders"),
        ("web", "web events"),
        ("service", "tickets"),
    ],
)
def test_survey_only_pages(survey_env, page: str, missing: str | None) -> None:
    at = run_app(page)
    notes = [i.value for i in at.info]
    if missing is None:
        assert notes == [] and at.get("vega_lite_chart")
    else:
        assert notes and all(missing in n for n in notes), notes


# Tickets without the optional inputs of the service levels, in the shape the serving
# contract gives absent inputs: no priority the SLA seed lists (no target: both breach
# rates NULL), no reopened_count (reopen_rate NULL), no backlog rows.
@pytest.fixture(scope="module")
def no_service_levels_release(pipeline_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("no_service_levels")
    warehouse = folder / "warehouse.duckdb"
    shutil.copy(pipeline_dir / "warehouse" / "cx.duckdb", warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute("delete from marts.service_backlog_daily")
    absent = ("sla_breach_rate", "resolution_sla_breach_rate", "reopen_rate")
    con.execute(
        "delete from marts.kpi_scorecard where kpi in (select unnest(?)) "
        "and not (grain = 'all_time' and dimension = 'overall')",
        [list(absent)],
    )
    con.execute(
        "update marts.kpi_scorecard set value = null, numerator = null, denominator = null, "
        "sample_size = 0 where kpi in (select unnest(?))",
        [list(absent)],
    )
    con.execute(f"update marts.service_kpis set {', '.join(f'{k} = null' for k in absent)}")
    con.close()
    serving_path = folder / "serving" / "cx.duckdb"
    serving.publish(warehouse, serving_path)
    return serving_path


def test_service_page_says_which_service_input_is_missing(
    no_service_levels_release: Path,
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CXW_DATA_DIR", str(no_service_levels_release.parent.parent))
        mp.setenv("CXW_SERVING_PATH", str(no_service_levels_release))
        at = run_app("service")
    tiles = {m.label: m.value for m in at.metric}
    values = all_time(no_service_levels_release)
    for label in ("First response SLA breaches", "Resolution SLA breaches", "Reopen rate"):
        assert tiles[label] == "no data", label
    kpi, unit, digits = SERVICE_LEVELS["Two-touch resolution"]
    assert tiles["Two-touch resolution"] == f"{values[kpi][0]:,.{digits}f}{unit}"
    needs = [c.value for c in at.caption if c.value.startswith("needs")]
    assert "needs solved or closed tickets with reopened_count (crm_tickets)" in needs
    assert sum("SLA target" in n for n in needs) == 2
    notes = [i.value for i in at.info]
    assert "No data for the backlog: the release has no tickets (crm_tickets landing files)." in (
        notes
    )
    # the rates chart still shows two-touch resolution; the times charts are all there
    assert len(at.get("vega_lite_chart")) >= 4 and not at.error and not at.warning
