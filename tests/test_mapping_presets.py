"""Each real data set of ../shared/real-data goes through `cxw run --mapping` with its preset,
untouched, and publishes; the all-time KPIs it supports equal values computed here with
pandas from the ORIGINAL files (issue 18), to 1e-9 relative.

The definitions are the presets' (mappings/presets/<folder>.yml, `definitions`); the KPI
formulas are the marts' (models/intermediate/kpi): repeat rate = buyers with >= 2
non-cancelled orders / buyers, purchase frequency = non-cancelled orders / buyers, AOV =
revenue / revenue orders, CLV = revenue / buyers (serving contract); NPS = 100 (P - D) / n with
margin 1.96 * 100 * sqrt(((P + D) / n - ((P - D) / n)^2) / n); CSAT = 100 * share of 4-5
with margin 1.96 * 100 * sqrt(p (1 - p) / n); resolution and first-response times = medians
in hours over the latest version of each ticket. One pipeline run per data set (~1.5 min):
slow.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from tests.conftest import cxw_env, run_cxw

REPO = Path(__file__).resolve().parent.parent
REAL = REPO.parent / "shared" / "real-data"
PRESETS = REPO / "mappings" / "presets"
FOLDERS = sorted(p.name for p in REAL.iterdir() if p.is_dir())

pytestmark = pytest.mark.slow


def frame(folder: str) -> pd.DataFrame:
    parts = []
    for path in sorted((REAL / folder).glob("*.csv")):
        f = pd.read_csv(path, dtype=str, keep_default_na=False)
        f["_file"] = path.name
        f["_line"] = range(2, len(f) + 2)
        parts.append(f)
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module", params=FOLDERS)
def run(request, tmp_path_factory) -> tuple[str, object, Path]:
    """`CXW_LANDING_DIR=../shared/real-data/<folder> cxw run --mapping <preset>`."""
    folder = request.param
    data_dir = tmp_path_factory.mktemp(folder)
    env = cxw_env(data_dir, CXW_LANDING_DIR=str(REAL / folder))
    if folder == "online-retail":  # a UK shop reports in pounds, as its preset says
        env["CXW_REPORTING_CURRENCY"] = "GBP"
    result = run_cxw("run", "--mapping", str(PRESETS / f"{folder}.yml"), env=env)
    return folder, result, data_dir


def scorecard(data_dir: Path) -> dict[str, tuple[float, float | None]]:
    """All-time overall KPIs of the run's build file (the published file is a copy of it)."""
    con = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "select kpi, value, margin_of_error_95 from marts.kpi_scorecard "
            "where grain = 'all_time' and dimension = 'overall'"
        ).fetchall()
    finally:
        con.close()
    return {kpi: (value, margin) for kpi, value, margin in rows}


# --------------------------------------------------------------------------- pandas


def order_kpis() -> dict[str, float]:
    lines = frame("online-retail")
    lines["value"] = lines.Quantity.astype(float) * lines.UnitPrice.astype(float)
    invoices = lines.groupby("InvoiceNo").agg(
        customer=("CustomerID", "max"), total=("value", "sum")
    )
    invoices = invoices[invoices.customer != ""].reset_index()  # quarantined: no customer
    cancelled = invoices.InvoiceNo.str.startswith("C")
    revenue = invoices[~cancelled]
    per_buyer = revenue.groupby("customer").size()
    return {
        "repeat_customer_rate": 100.0 * (per_buyer >= 2).sum() / len(per_buyer),
        "purchase_frequency": per_buyer.sum() / len(per_buyer),
        "average_order_value": revenue.total.sum() / len(revenue),
        # over buyers (customers with a non-cancelled order), as purchase_frequency
        "customer_lifetime_value": revenue.total.sum() / len(per_buyer),
    }


def nps(scores: pd.Series) -> dict[str, tuple[float, float]]:
    n = len(scores)
    p, d = (scores >= 9).sum() / n, (scores <= 6).sum() / n
    return {"nps": (100.0 * (p - d), 1.96 * 100 * math.sqrt((p + d - (p - d) ** 2) / n))}


def csat(scores: pd.Series) -> dict[str, tuple[float, float]]:
    n = len(scores)
    share = (scores >= 4).sum() / n
    return {"csat": (100.0 * share, 1.96 * 100 * math.sqrt(share * (1 - share) / n))}


LIKERT = {
    "strongly disagree": 1,
    "disagree": 2,
    "neither agree nor disagree": 3,
    "agree": 4,
    "strongly agree": 5,
}
CARPENTRIES_CSAT = [
    "InformationReasonableTime", "AtmosphereWelcoming", "LearnedSkills", "Material",
    "Recommend", "Worth",
]  # fmt: skip
CON_AGREEMENT = [
    "valuable_feedback", "session_build_community", "session_materials", "session_membership",
    "session_new_communities", "session_develop_skills",
]  # fmt: skip
CON_RATINGS = [
    "satisfaction_interaction", "presenters_prepared", "presenters_knowledgeable",
    "presenters_clear", "presenters_responsive",
]  # fmt: skip


def survey_kpis(folder: str) -> dict[str, tuple[float, float]]:
    f = frame(folder)
    if folder == "carpentries-instructor-survey":
        labels = f[CARPENTRIES_CSAT].stack()
        labels = labels.str.replace("\xa0", " ").str.strip().str.lower()
        return {
            **nps(f.LikelyToRecommend[f.LikelyToRecommend != ""].astype(int)),
            **csat(labels[labels != ""].map(LIKERT)),
        }
    if folder == "carpentrycon-2020-feedback":
        agreement = f[CON_AGREEMENT].stack()
        agreement = agreement[~agreement.isin(["", "6"])].astype(int)  # 6 = N/A
        ratings = f[CON_RATINGS].stack()
        ratings = ratings[~ratings.isin(["", "0"])].astype(int)  # 0: out of scale
        return {
            **nps(f.nps[f.nps != ""].astype(int)),
            **csat(pd.concat([agreement, ratings])),
        }
    assert folder == "amazon-fine-food-reviews"
    return csat(f.Score.astype(int))


def ticket_kpis(folder: str) -> dict[str, float]:
    f = frame(folder)
    if folder == "servicenow-incidents":
        fmt = "%d/%m/%Y %H:%M"
        t = pd.DataFrame(
            {
                "ticket": f.number,
                "opened": pd.to_datetime(f.opened_at, format=fmt),
                "resolved": pd.to_datetime(f.resolved_at.replace("?", None), format=fmt),
                "updated": pd.to_datetime(f.sys_updated_at, format=fmt),
                "state": f.incident_state,
                "line": f._line,
            }
        )
        # first response: the first update out of New (preset definition)
        moved = t[t.state != "New"].groupby("ticket").updated.min()
        latest = t.sort_values(["updated", "line"]).groupby("ticket").tail(1).set_index("ticket")
        resolved = latest[latest.state.isin(["Resolved", "Closed"])]
        first = (moved - latest.opened.reindex(moved.index)).dt.total_seconds() / 3600
        return {
            "resolution_time_hours": float(
                np.median((resolved.resolved - resolved.opened).dropna().dt.total_seconds()) / 3600
            ),
            "first_response_time_hours": float(np.median(first)),
        }
    assert folder == "boston-311"
    zone = "America/New_York"
    opened = pd.to_datetime(f.open_dt).dt.tz_localize(zone)
    closed = pd.to_datetime(f.closed_dt.str.strip().replace("", None)).dt.tz_localize(zone)
    done = f.case_status == "Closed"
    hours = (closed[done] - opened[done]).dropna().dt.total_seconds() / 3600
    return {"resolution_time_hours": float(np.median(hours))}


# --------------------------------------------------------------------------- tests


def test_each_data_set_loads_through_its_preset_and_publishes(run) -> None:
    _folder, result, data_dir = run
    assert result.returncode == 0, result.stdout + result.stderr
    assert "publish : release" in result.stdout
    assert (data_dir / "serving" / "cx.duckdb").exists()


def test_rows_read_equal_loaded_plus_quarantined(run) -> None:
    folder, _result, data_dir = run
    con = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        log = con.execute(
            "select count(*), sum(rows_read), sum(rows_loaded), sum(rows_quarantined), "
            "count(*) filter (where status <> 'loaded') from raw.load_log "
            "where status <> 'ignored'"
        ).fetchone()
        ignored = con.execute(
            "select file_path from raw.load_log where status = 'ignored'"
        ).fetchall()
        mapped = con.execute("select count(distinct mapping_file) from raw.mapped_files").fetchone()
    finally:
        con.close()
    files = [p for p in (REAL / folder).iterdir() if p.name != "SOURCE.md"]
    assert log[0] == len(files) and log[4] == 0
    # the data set's SOURCE.md is accounted for too: ignored, not loaded (landing contract)
    assert ignored == [("SOURCE.md",)]
    assert log[1] == log[2] + log[3]
    assert mapped == (1,)
    if folder == "otto-sessions":
        sessions = [json.loads(x) for x in (REAL / folder / "train.jsonl").read_text().splitlines()]
        assert log[1] == sum(len(s["events"]) for s in sessions)


def otto_sessions() -> pd.Series:
    """The set of OTTO event types of each web session. Sessions: a visitor's (OTTO
    session's) events with no gap over 30 minutes, the gap counted in whole seconds crossed
    (DuckDB date_diff('second'), as int_web__sessions)."""
    events = [
        {"visitor": s["session"], "position": i, "second": e["ts"] // 1000, "type": e["type"]}
        for line in (REAL / "otto-sessions" / "train.jsonl").read_text().splitlines()
        for s in [json.loads(line)]
        for i, e in enumerate(s["events"], start=1)
    ]
    f = pd.DataFrame(events).sort_values(["visitor", "second", "position"])
    gap = f.groupby("visitor").second.diff()
    f["session"] = (gap.isna() | (gap > 30 * 60)).cumsum()
    return f.groupby("session").type.agg(lambda t: set(t))


def web_kpis() -> dict[str, float]:
    sessions = otto_sessions()
    bought = sessions.map(lambda t: "orders" in t)
    carted = sessions.map(lambda t: "carts" in t)
    return {
        "conversion_rate": 100.0 * bought.sum() / len(sessions),
        "cart_abandonment_rate": 100.0 * (carted & ~bought).sum() / carted.sum(),
    }


def test_all_time_kpis_equal_a_pandas_recomputation(run) -> None:
    folder, _result, data_dir = run
    got = scorecard(data_dir)
    if folder == "online-retail":
        expected = {kpi: (value, None) for kpi, value in order_kpis().items()}
    elif folder in ("servicenow-incidents", "boston-311"):
        expected = {kpi: (value, None) for kpi, value in ticket_kpis(folder).items()}
    elif folder == "otto-sessions":
        expected = {kpi: (value, None) for kpi, value in web_kpis().items()}
    else:
        expected = survey_kpis(folder)
    assert expected
    for kpi, (value, margin) in expected.items():
        assert kpi in got, f"{folder}: no all_time {kpi} in kpi_scorecard"
        assert got[kpi][0] == pytest.approx(value, rel=1e-9), kpi
        if margin is not None:
            assert got[kpi][1] == pytest.approx(margin, rel=1e-9), kpi


def test_the_otto_funnel_goes_on_past_the_steps_it_has_no_events_for(run) -> None:
    """OTTO has clicks, carts and orders (product_view, add_to_cart, purchase) and no
    page_view or checkout_start: those steps have no input (NULL, as a KPI without input),
    and the funnel counts from product_view on (before: page_view 0, so every step 0)."""
    folder, _result, data_dir = run
    if folder != "otto-sessions":
        pytest.skip("the OTTO data set only")
    sessions = otto_sessions()
    clicked = sessions.map(lambda t: "clicks" in t)
    carted = clicked & sessions.map(lambda t: "carts" in t)
    bought = carted & sessions.map(lambda t: "orders" in t)
    con = duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        funnel = con.execute(
            "select step, sessions, has_input, entries from marts.web_funnel "
            "where dimension = 'overall' order by step_number"
        ).fetchall()
    finally:
        con.close()
    n = len(sessions)
    assert funnel == [
        ("page_view", n, False, None),
        ("product_view", n, True, int(clicked.sum())),
        ("add_to_cart", n, True, int(carted.sum())),
        ("checkout_start", n, False, None),
        ("purchase", n, True, int(bought.sum())),
    ]
    assert int(bought.sum()) > 0
