"""The MetricFlow metrics, defined once, give kpi_scorecard's numbers on the release.

`dbt parse --target release` writes the semantic manifest; `python -m orchestration.metrics
query ...` (mf without its update check) runs against the sample's release, attached
read-only. Every metric's all-time value must equal the scorecard's all_time/overall row,
and NPS by touchpoint its touchpoint rows. Slow: parse and query take about a minute.
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import DBT, REPO, cxw_env

pytestmark = pytest.mark.slow

SEMANTIC_YML = REPO / "models" / "marts" / "semantic" / "_semantic__models.yml"
PROJECT_FILES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def kpi_metrics() -> list[str]:
    """The metrics named after a KPI of the serving contract (the others are their parts)."""
    with open(REPO.parent / "shared" / "serving-contract.md", encoding="utf-8") as f:
        contract = f.read()
    spec = yaml.safe_load(SEMANTIC_YML.read_text(encoding="utf-8"))
    return [m["name"] for m in spec["metrics"] if f"`{m['name']}`" in contract]


@pytest.fixture(scope="module")
def mf_project(pipeline_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    """A project folder of links to the repo with its own target/ (mf reads it there)."""
    project = tmp_path_factory.mktemp("mf_project")
    for name in PROJECT_FILES:
        (project / name).symlink_to(REPO / name)
    serving_path = pipeline_dir / "serving" / "cx.duckdb"
    env = cxw_env(pipeline_dir, CXW_SERVING_PATH=str(serving_path))
    env.pop("DBT_TARGET_PATH")
    parsed = subprocess.run(
        [DBT, "--no-use-colors", "parse", "--target", "release",
         "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(project / "target")],
        env=env, cwd=project, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert parsed.returncode == 0, parsed.stdout + parsed.stderr
    env.update(DBT_PROJECT_DIR=str(project), DBT_PROFILES_DIR=str(project))
    return project, env, serving_path


def mf(mf_project: tuple, *args: str) -> list[dict[str, str]]:
    project, env, _ = mf_project
    out = project / "out.csv"
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.metrics", "query", *args, "--csv", str(out)],
        env={**env, "PYTHONPATH": str(REPO)},
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with open(out, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def scorecard(serving_path: Path, dimension: str = "overall") -> dict[tuple, float]:
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        rows = con.execute(
            "select kpi, dimension_value, value from marts.kpi_scorecard "
            "where grain = 'all_time' and dimension = ?",
            [dimension],
        ).fetchall()
    finally:
        con.close()
    return {(kpi, value_of): value for kpi, value_of, value in rows}


def test_every_metric_equals_the_scorecard_all_time(mf_project: tuple) -> None:
    _, _, serving_path = mf_project
    before = hashlib.sha256(serving_path.read_bytes()).hexdigest()
    metrics = kpi_metrics()
    # every KPI of the contract (seeds/kpis.csv lists them) has its metric
    with open(REPO / "seeds" / "kpis.csv", encoding="utf-8") as f:
        kpis = {row["kpi"] for row in csv.DictReader(f)}
    assert len(kpis) == 20 and set(metrics) == kpis, sorted(kpis ^ set(metrics))
    [row] = mf(mf_project, "--metrics", ",".join(metrics))
    expected = scorecard(serving_path)
    for metric in metrics:
        assert float(row[metric]) == pytest.approx(expected[(metric, "all")], rel=1e-9), metric
    # mf read the release read-only: the file is byte for byte the same
    assert hashlib.sha256(serving_path.read_bytes()).hexdigest() == before


# The parts of the customer- and session-grain KPIs: metric of the numerator, metric of the
# denominator, as kpi_scorecard publishes them (numerator, denominator). The sample spans
# 120 days, less than churn_days (180): its churn_rate is 0, so the value alone would not
# catch a wrong denominator (e.g. counting customers with only future-dated orders).
PARTS = {
    "repeat_customer_rate": ("repeat_buyers", "customers_with_orders"),
    "purchase_frequency": ("buyer_orders", "buyers_with_orders"),
    "customer_lifetime_value": ("customer_revenue", "valued_buyers"),
    "churn_rate": ("churned_customers", "churn_base_customers"),
    "self_service_rate": ("self_served_sessions", "help_center_sessions"),
}


def test_customer_kpis_parts_equal_the_scorecard(mf_project: tuple) -> None:
    _, _, serving_path = mf_project
    metrics = [m for parts in PARTS.values() for m in parts]
    [row] = mf(mf_project, "--metrics", ",".join(metrics))
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        published = {
            kpi: (numerator, denominator)
            for kpi, numerator, denominator in con.execute(
                "select kpi, numerator, denominator from marts.kpi_scorecard "
                "where grain = 'all_time' and dimension = 'overall'"
            ).fetchall()
        }
    finally:
        con.close()
    for kpi, (numerator, denominator) in PARTS.items():
        assert float(row[numerator]) == pytest.approx(published[kpi][0], rel=1e-9), kpi
        assert float(row[denominator]) == published[kpi][1], kpi
        assert published[kpi][1] > 0, kpi  # the sample has every input


def test_order_kpis_by_channel_equal_the_scorecard(mf_project: tuple) -> None:
    """purchase_frequency and CLV count the customers over the orders of each channel."""
    _, _, serving_path = mf_project
    metrics = ("purchase_frequency", "customer_lifetime_value")
    rows = mf(mf_project, "--metrics", ",".join(metrics), "--group-by", "order__channel")
    expected = scorecard(serving_path, "channel")
    for metric in metrics:
        got = {r["order__channel"] or "(unknown)": float(r[metric]) for r in rows}
        want = {value_of: v for (kpi, value_of), v in expected.items() if kpi == metric}
        assert got.keys() == want.keys() and len(want) > 1, metric
        for channel, value in want.items():
            assert got[channel] == pytest.approx(value, rel=1e-9), (metric, channel)


def test_nps_by_touchpoint_equals_the_scorecard(mf_project: tuple) -> None:
    _, _, serving_path = mf_project
    rows = mf(mf_project, "--metrics", "nps", "--group-by", "response__touchpoint")
    got = {r["response__touchpoint"]: float(r["nps"]) for r in rows if r["nps"] != ""}
    expected = {
        value_of: value
        for (kpi, value_of), value in scorecard(serving_path, "touchpoint").items()
        if kpi == "nps" and value is not None
    }
    assert got.keys() == expected.keys()
    for touchpoint, value in expected.items():
        assert got[touchpoint] == pytest.approx(value, rel=1e-9), touchpoint


def test_the_update_check_asks_no_one() -> None:
    """orchestration.metrics answers update_checker's check without the network."""
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise AssertionError('network used')\n"
        "socket.socket.connect = refuse\n"
        "from orchestration.metrics import disable_update_check\n"
        "disable_update_check()\n"
        "import update_checker\n"
        "print(update_checker.UpdateChecker().check('dbt-metricflow', '0.0.1'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"
