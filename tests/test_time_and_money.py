"""Issue 17 §6 and §7c end to end: a real landing, a real `cxw run`, the published numbers.

A small hand-made landing (2025) with every source, so every KPI has its input, plus the
faults under test: an order dated 2030 (a wrong clock at the source) and orders in
currencies. Expected values are worked out by hand in the comments.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from tests.conftest import cxw_env, run_cxw

CUSTOMERS = (
    "customer_id,email,phone,first_name,last_name,country,city,signup_channel,"
    "created_at,updated_at,marketing_opt_in\n"
    "C1,c1@example.com,,Ada,One,IT,Roma,web,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z,true\n"
    "C2,c2@example.com,,Bea,Two,IT,Roma,web,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z,true\n"
    "C3,c3@example.com,,Cid,Three,IT,Roma,web,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z,true\n"
    "C4,c4@example.com,,Dan,Four,IT,Roma,web,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z,true\n"
)

# O5 is C1's order dated 2030: later than the load time of its batch (the loader stamps
# _loaded_at with the wall clock, after 2025), so it cannot be true.
ORDERS = (
    "order_id,customer_id,ordered_at,channel,status,"
    "currency,amount,items_count,updated_at\n"
    "O1,C1,2025-01-10T10:00:00Z,web,delivered,EUR,100,1,\n"
    "O2,C2,2025-06-01T10:00:00Z,web,delivered,EUR,50,1,\n"
    "O3,C3,2025-12-01T10:00:00Z,web,delivered,EUR,30,1,\n"
    "O4,C4,2025-11-01T10:00:00Z,web,delivered,EUR,20,1,\n"
    "O5,C1,2030-01-01T10:00:00Z,web,delivered,EUR,70,1,\n"
)

TICKETS = (
    "ticket_id,customer_id,contact_email,channel,category,priority,opened_at,"
    "first_response_at,resolved_at,status,agent_replies,reopened_count,updated_at\n"
    "T1,C1,,email,billing,normal,2025-03-01T09:00:00Z,2025-03-01T10:00:00Z,2025-03-01T12:00:00Z,solved,1,0,\n"
)

SURVEY = (
    "response_id,survey_id,survey_type,submitted_at,customer_id,"
    "respondent_email,touchpoint,channel,score,comment,language,related_id\n"
    "R1,S1,nps,2025-03-02T10:00:00Z,C1,,delivery,email,9,,en,\n"
    "R2,S2,csat,2025-03-02T10:00:00Z,C1,,support,email,5,,en,\n"
    "R3,S3,ces,2025-03-02T10:00:00Z,C1,,support,email,6,,en,\n"
)

EVENTS = [
    ("E1", "2025-03-01T08:00:00Z", "page_view"),
    ("E2", "2025-03-01T08:01:00Z", "help_center_view"),
    ("E3", "2025-03-01T08:02:00Z", "add_to_cart"),
    ("E4", "2025-03-01T08:03:00Z", "purchase"),
]


def write_landing(landing: Path, orders: str = ORDERS) -> None:
    """Every source of the landing contract, as CSV and JSON lines files."""
    files = {
        "crm/customers/customers.csv": CUSTOMERS,
        "crm/orders/orders.csv": orders,
        "crm/tickets/tickets.csv": TICKETS,
        "survey/responses/responses.csv": SURVEY,
        "web/events/events.jsonl": "".join(
            json.dumps(
                {
                    "event_id": event_id,
                    "event_at": event_at,
                    "anonymous_id": "A1",
                    "user_id": "C1",
                    "event_type": event_type,
                    "device_type": "desktop",
                }
            )
            + "\n"
            for event_id, event_at, event_type in EVENTS
        ),
    }
    for name, text in files.items():
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def run_landing(data_dir: Path, orders: str = ORDERS):
    write_landing(data_dir / "landing", orders)
    env = cxw_env(data_dir)
    result = run_cxw("run", env=env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result


def scorecard_value(serving: Path, kpi: str, dimension: str = "overall", value: str = "all"):
    with duckdb.connect(str(serving), read_only=True) as con:
        return con.execute(
            "select value, numerator, denominator from marts.kpi_scorecard "
            "where kpi = ? and grain = 'all_time' and dimension = ? and dimension_value = ?",
            [kpi, dimension, value],
        ).fetchone()


@pytest.fixture(scope="module")
def future_order_run(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("future_order")
    result = run_landing(data_dir)
    return data_dir, result


def test_a_future_dated_order_moves_neither_as_of_nor_churn(future_order_run):
    data_dir, _ = future_order_run
    serving = data_dir / "serving" / "cx.duckdb"
    with duckdb.connect(str(data_dir / "warehouse" / "cx.duckdb"), read_only=True) as con:
        # as_of is the latest timestamp that can be true: O3's 2025-12-01 10:00 (every
        # other source is earlier); counting O5 would make it 2030-01-01 10:00
        [(as_of,)] = con.execute("select as_of_at from intermediate.int_kpi__as_of").fetchall()
    with duckdb.connect(str(serving), read_only=True) as con:
        flags = dict(
            con.execute("select order_id, is_future_dated from marts.fct_orders").fetchall()
        )
        lifecycle = dict(
            con.execute("select crm_customer_id, is_churned from marts.dim_customers").fetchall()
        )
    assert str(as_of) == "2025-12-01 10:00:00"
    # the row is kept and flagged
    assert flags == {"O1": False, "O2": False, "O3": False, "O4": False, "O5": True}
    # churn after 180 days: cut-off 2025-12-01 10:00 - 180 d = 2025-06-04 10:00. Last true
    # orders: C1 2025-01-10 (O5 does not count) and C2 2025-06-01 churned; C3 2025-12-01 and
    # C4 2025-11-01 active: 2 / 4 = 50 %. (With O5 moving as_of to 2030: 3 / 4 = 75 %; with
    # O5 as C1's last order: 1 / 4 = 25 %.)
    assert scorecard_value(serving, "churn_rate") == (50.0, 2.0, 4.0)
    assert lifecycle == {"C1": True, "C2": True, "C3": False, "C4": False}
    # the order still counts where time is no measure: AOV = (100+50+30+20+70) / 5 = 54
    assert scorecard_value(serving, "average_order_value") == (54.0, 270.0, 5.0)
    # but in no month: its month cannot be true (before: a 2030-01 row of every order KPI,
    # and a 2030 activity month of C1's cohort)
    with duckdb.connect(str(serving), read_only=True) as con:
        months = con.execute(
            "select distinct period_start from marts.kpi_scorecard "
            "where grain = 'month' and kpi = 'purchase_frequency' order by 1"
        ).fetchall()
        cohort_months = con.execute(
            "select max(cohort_month + to_months(months_since_first_order)) "
            "from marts.customer_cohorts"
        ).fetchone()
    assert [str(m) for (m,) in months] == ["2025-01-01", "2025-06-01", "2025-11-01", "2025-12-01"]
    assert str(cohort_months[0])[:7] == "2025-12"


def test_the_warning_names_the_entity_and_counts_its_future_dated_rows(future_order_run):
    _, result = future_order_run
    warnings = [line for line in result.stdout.splitlines() if "_latest_timestamp" in line]
    assert len(warnings) == 1, result.stdout
    assert "crm_orders" in warnings[0]
    assert re.search(r"\b1 of 5 rows\b", warnings[0]), warnings[0]


# Four customers' orders in four currencies (the future-dated landing's other sources).
# With the shipped seed (1 EUR = 1.1 USD = 160 JPY, no SEK rate): O1 EUR 100; O2 USD 110 =
# 110 / 1.1 = 100 EUR; O3 JPY 16000 = 16000 / 160 = 100 EUR; O4 SEK 1000 has no rate.
CURRENCY_ORDERS = (
    "order_id,customer_id,ordered_at,channel,status,"
    "currency,amount,items_count,updated_at\n"
    "O1,C1,2025-03-10T10:00:00Z,web,delivered,EUR,100,1,\n"
    "O2,C2,2025-03-10T10:00:00Z,web,delivered,USD,110,1,\n"
    "O3,C3,2025-03-10T10:00:00Z,web,delivered,JPY,16000,1,\n"
    "O4,C4,2025-03-10T10:00:00Z,web,delivered,SEK,1000,1,\n"
)


@pytest.fixture(scope="module")
def currency_run(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("currencies")
    result = run_landing(data_dir, CURRENCY_ORDERS)
    return data_dir, result


def test_money_is_converted_to_the_reporting_currency(currency_run):
    data_dir, _ = currency_run
    serving = data_dir / "serving" / "cx.duckdb"
    # Adding the amounts as if one currency: (100 + 110 + 16000 + 1000) / 4 = 4302.5.
    # In EUR, over the orders a rate converts: (100 + 100 + 100) / 3 = 100; CLV the same
    # over the 3 customers of those orders (C4's only order has no rate).
    value, numerator, denominator = scorecard_value(serving, "average_order_value")
    assert (value, numerator, denominator) == (pytest.approx(100), pytest.approx(300), 3)
    value, numerator, denominator = scorecard_value(serving, "customer_lifetime_value")
    assert (value, numerator, denominator) == (pytest.approx(100), pytest.approx(300), 3)
    # purchase_frequency is no revenue KPI: C4 counts, 4 orders / 4 customers
    assert scorecard_value(serving, "purchase_frequency") == (1.0, 4.0, 4.0)
    # the currency breakdown is in that currency
    assert scorecard_value(serving, "average_order_value", "currency", "USD") == (110, 110, 1)
    assert scorecard_value(serving, "average_order_value", "currency", "JPY") == (16000, 16000, 1)
    assert scorecard_value(serving, "average_order_value", "currency", "SEK") == (1000, 1000, 1)
    with duckdb.connect(str(serving), read_only=True) as con:
        flags = dict(
            con.execute("select order_id, has_exchange_rate from marts.fct_orders").fetchall()
        )
    assert flags == {"O1": True, "O2": True, "O3": True, "O4": False}


def test_an_order_without_a_rate_is_warned_about(currency_run):
    _, result = currency_run
    warnings = [
        line for line in result.stdout.splitlines() if "order_without_exchange_rate" in line
    ]
    assert len(warnings) == 1, result.stdout
    assert re.search(r"\b1 of 4 rows\b", warnings[0]), warnings[0]
    assert "SEK on 2025-03-10 (order O4)" in warnings[0]
