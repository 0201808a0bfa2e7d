"""No input is required (issue 17 section 1): a landing without an entity, an optional
column, a survey type or an event type publishes, and only the KPIs fed by what is missing
change; a KPI without input is published NULL with sample_size 0 and named in a warning.

Real `cxw run`s on hand-made landing files, read back from the serving file.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from orchestration.quality.suites import KPIS
from tests.conftest import cxw_env, run_cxw
from tests.landing_variants import Drop, every_drop, write_landing

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

MISSING_INPUT = {kpi.name: kpi.missing_input_message for kpi in KPIS}


def _published_scorecard(serving_path: Path) -> pd.DataFrame:
    with duckdb.connect(str(serving_path), read_only=True) as con:
        return con.execute(
            "select * from marts.kpi_scorecard "
            "order by kpi, grain, period_start nulls first, dimension, dimension_value"
        ).df()


def _overall(scorecard: pd.DataFrame, kpi: str) -> pd.Series:
    rows = scorecard[
        (scorecard["kpi"] == kpi)
        & (scorecard["grain"] == "all_time")
        & (scorecard["dimension"] == "overall")
    ]
    assert len(rows) == 1, f"{kpi}: {len(rows)} all_time / overall rows"
    return rows.iloc[0]


# --------------------------------------------------------------------------- (a) the example


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def test_one_of_everything_without_ces_publishes_nps_csat_and_a_null_ces(tmp_path: Path) -> None:
    """One customer, order, ticket and web session, NPS answer 9, CSAT answer 5, no CES
    answer (issue 17's example), and the tickets export lacks agent_replies and
    reopened_count (optional columns)."""
    data_dir = tmp_path / "data"
    landing = data_dir / "landing"
    _write_csv(
        landing / "crm/customers/customers.csv",
        ["customer_id", "email", "created_at", "updated_at"],
        [["C1", "ada@example.com", "2026-01-10T09:00:00", "2026-01-10T09:00:00"]],
    )
    _write_csv(
        landing / "crm/orders/orders.csv",
        ["order_id", "customer_id", "ordered_at", "channel", "status", "amount"],
        [["O1", "C1", "2026-02-01T10:00:00", "web", "delivered", "50.00"]],
    )
    _write_csv(
        landing / "crm/tickets/tickets.csv",
        ["ticket_id", "customer_id", "channel", "opened_at", "first_response_at",
         "resolved_at", "status"],
        [["T1", "C1", "email", "2026-02-02T09:00:00", "2026-02-02T11:00:00",
          "2026-02-03T09:00:00", "solved"]],
    )  # fmt: skip
    events = landing / "web/events/events.jsonl"
    events.parent.mkdir(parents=True)
    events.write_text(
        "\n".join(
            json.dumps(event)
            for event in (
                {"event_id": "E1", "event_at": "2026-02-01T09:50:00", "anonymous_id": "A1",
                 "user_id": "C1", "event_type": "page_view", "device_type": "mobile"},
                {"event_id": "E2", "event_at": "2026-02-01T10:00:00", "anonymous_id": "A1",
                 "user_id": "C1", "event_type": "purchase", "order_id": "O1",
                 "device_type": "mobile"},
            )
        )
        + "\n"
    )  # fmt: skip
    _write_csv(
        landing / "survey/responses/responses.csv",
        ["response_id", "survey_type", "submitted_at", "customer_id", "touchpoint", "score"],
        [
            ["R1", "nps", "2026-02-04T12:00:00", "C1", "delivery", "9"],
            ["R2", "csat", "2026-02-04T12:05:00", "C1", "support", "5"],
        ],
    )

    result = run_cxw("run", env=cxw_env(data_dir))
    assert result.returncode == 0, result.stdout + result.stderr
    scorecard = _published_scorecard(data_dir / "serving" / "cx.duckdb")

    def value(kpi: str) -> float | None:
        v = _overall(scorecard, kpi)["value"]
        return None if pd.isna(v) else float(v)

    # nps: 1 promoter (9), 0 detractors, 1 answer: 100 × (1 − 0) / 1 = 100
    assert value("nps") == pytest.approx(100.0)
    # csat: 1 answer scoring 4-5 of 1 answer: 100 × 1 / 1 = 100
    assert value("csat") == pytest.approx(100.0)
    # ces: no CES answer: NULL value, numerator and denominator, sample_size 0
    ces = _overall(scorecard, "ces")
    assert pd.isna(ces["value"]) and pd.isna(ces["numerator"]) and pd.isna(ces["denominator"])
    assert ces["sample_size"] == 0
    # the survey breakdowns: ces keeps a NULL row for each touchpoint that has answers
    ces_rows = scorecard[scorecard["kpi"] == "ces"]
    ces_touchpoints = ces_rows[ces_rows["dimension"] == "touchpoint"]
    assert set(ces_touchpoints["dimension_value"]) == {"delivery", "support"}
    assert ces_touchpoints["value"].isna().all() and (ces_touchpoints["sample_size"] == 0).all()
    # the rest of the hand computation, one order of 50 by the one customer:
    assert value("average_order_value") == pytest.approx(50.0)  # 50 / 1 order
    assert value("customer_lifetime_value") == pytest.approx(50.0)  # 50 / 1 customer
    assert value("purchase_frequency") == pytest.approx(1.0)  # 1 order / 1 customer
    assert value("repeat_customer_rate") == pytest.approx(0.0)  # no customer with 2 orders
    # as_of = the latest timestamp, the CSAT answer (2026-02-04 12:05); the last order
    # (2026-02-01) is 3 days before it, not more than 180: churn 0 of 1
    assert value("churn_rate") == pytest.approx(0.0)
    assert value("conversion_rate") == pytest.approx(100.0)  # 1 session, with a purchase
    assert value("first_response_time_hours") == pytest.approx(2.0)  # 09:00 -> 11:00
    assert value("resolution_time_hours") == pytest.approx(24.0)  # 2 Feb 09:00 -> 3 Feb 09:00
    # no add_to_cart event, no help_center_view, no agent_replies column: NULL, sample 0
    for kpi in ("cart_abandonment_rate", "self_service_rate", "first_contact_resolution_rate"):
        row = _overall(scorecard, kpi)
        assert pd.isna(row["value"]) and row["sample_size"] == 0, kpi
    # the gate warns, naming each KPI without input and what it lacks
    for kpi in ("ces", "cart_abandonment_rate", "self_service_rate",
                "first_contact_resolution_rate"):  # fmt: skip
        assert MISSING_INPUT[kpi] in result.stdout, result.stdout
    assert "ces: no CES answers loaded" in result.stdout
    assert MISSING_INPUT["nps"] not in result.stdout

    # the other marts on one of everything
    with duckdb.connect(str(data_dir / "serving" / "cx.duckdb"), read_only=True) as con:

        def rows(sql: str) -> list[tuple]:
            return con.execute(sql).fetchall()

        # one cohort of one month: C1, first order in February, active in month 0
        assert rows(
            "select cohort_month, months_since_first_order, cohort_customers, retention_rate "
            "from marts.customer_cohorts"
        ) == [(date(2026, 2, 1), 0, 1, 100.0)]
        # one session, page_view then purchase: no product_view, add_to_cart or
        # checkout_start in the data, so those steps have no input (NULL, skipped, as a KPI
        # without input) and the session reaches purchase (before: 0 from step 2 on)
        assert rows(
            "select step_number, has_input, entries from marts.web_funnel "
            "where dimension = 'overall' order by step_number"
        ) == [(1, True, 1), (2, False, None), (3, False, None), (4, False, None), (5, True, 1)]
        assert rows("select count(*) from marts.fct_web_sessions") == [(1,)]
        # one person, with one purchase: nothing to rank against, no repeat buyer to advocate
        assert rows("select count(*) from marts.customer_segments") == [(1,)]
        assert rows("select count(*) from marts.advocates") == [(0,)]


# --------------------------------------------------------------------------- (b) the kind

SURVEY = ("nps", "csat", "ces")
ORDERS = (
    "repeat_customer_rate", "purchase_frequency", "average_order_value",
    "customer_lifetime_value", "churn_rate",
)  # fmt: skip
WEB = ("conversion_rate", "cart_abandonment_rate", "self_service_rate")
SERVICE = (
    "first_response_time_hours", "resolution_time_hours", "first_contact_resolution_rate",
    "first_response_time_business_hours", "resolution_time_business_hours", "sla_breach_rate",
    "resolution_sla_breach_rate", "reopen_rate", "two_touch_resolution_rate",
)  # fmt: skip
# the service KPIs counted on the business clock of the ticket's channel, or against the
# SLA target of its priority (and channel)
SERVICE_CLOCK = (
    "first_response_time_business_hours", "resolution_time_business_hours", "sla_breach_rate",
    "resolution_sla_breach_rate",
)  # fmt: skip
SLA = ("sla_breach_rate", "resolution_sla_breach_rate")
ALL_ROWS = "*"  # every row of the KPI may change


@dataclass(frozen=True)
class Effect:
    """What taking one input away does to kpi_scorecard on the sample of landing_variants.

    null: KPIs left without input: every row NULL with sample_size 0, and a warning.
    changed: (kpi, dimension) pairs whose rows may change (dimension ALL_ROWS: every row of
    the KPI); every other row of the scorecard must stay exactly as in the full run.
    values: all_time / overall values worked out by hand for the variant.
    """

    null: tuple[str, ...] = ()
    changed: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    values: tuple[tuple[str, float], ...] = ()

    @property
    def touched(self) -> frozenset[tuple[str, str]]:
        return self.changed | {(kpi, ALL_ROWS) for kpi in self.null}


def _rows(kpis, dimensions=(ALL_ROWS,)) -> frozenset[tuple[str, str]]:
    return frozenset((kpi, dimension) for kpi in kpis for dimension in dimensions)


NONE = Effect()
# S4, C3's help-centre visit, is followed within 24 h by ticket T3, which only its
# contact email links to C3: whatever breaks that link makes S4 self-served
SELF_SERVICE = Effect(changed=_rows(["self_service_rate"]))

EFFECTS: dict[str, Effect] = {
    # entities
    "entity:crm_customers": SELF_SERVICE,  # T3's email no longer leads to C3
    "entity:crm_orders": Effect(null=ORDERS),
    "entity:crm_tickets": Effect(null=SERVICE, changed=_rows(["self_service_rate"])),
    "entity:web_events": Effect(null=WEB),
    "entity:survey_responses": Effect(null=SURVEY),
    # optional columns of crm/customers: only the email links a ticket (T3) to a customer
    "column:crm_customers.email": SELF_SERVICE,
    **{
        f"column:crm_customers.{c}": NONE
        for c in (
            "phone",
            "first_name",
            "last_name",
            "country",
            "city",
            "signup_channel",
            "marketing_opt_in",
        )
    },
    # crm/orders: every order is in EUR (the default currency); versions are in file order
    "column:crm_orders.channel": Effect(changed=_rows(ORDERS, ["channel"])),
    "column:crm_orders.currency": NONE,
    "column:crm_orders.items_count": NONE,
    "column:crm_orders.updated_at": NONE,
    # crm/tickets
    "column:crm_tickets.customer_id": SELF_SERVICE,
    "column:crm_tickets.contact_email": SELF_SERVICE,
    "column:crm_tickets.channel": Effect(
        changed=_rows(SERVICE, ["channel"]) | _rows(SERVICE_CLOCK)
    ),
    "column:crm_tickets.category": NONE,
    "column:crm_tickets.priority": Effect(changed=_rows(SERVICE, ["priority"]) | _rows(SLA)),
    # unanswered tickets may pass their first-response target: the breach rate changes
    "column:crm_tickets.first_response_at": Effect(
        null=("first_response_time_hours", "first_response_time_business_hours"),
        changed=_rows(["sla_breach_rate"]),
    ),
    "column:crm_tickets.resolved_at": Effect(
        null=("resolution_time_hours", "resolution_time_business_hours"),
        changed=_rows(["resolution_sla_breach_rate"]),
    ),
    "column:crm_tickets.agent_replies": Effect(
        null=("first_contact_resolution_rate", "two_touch_resolution_rate")
    ),
    # without reopened_count T4 (1 reply, reopened once) counts as a first-contact
    # resolution: 2 of T1, T2, T4 instead of 1
    "column:crm_tickets.reopened_count": Effect(
        null=("reopen_rate",),
        changed=_rows(["first_contact_resolution_rate", "two_touch_resolution_rate"]),
        values=(("first_contact_resolution_rate", 100 * 2 / 3),),
    ),
    # the status history is read from the ticket versions, ordered by updated_at
    "column:crm_tickets.updated_at": Effect(changed=_rows(SERVICE)),
    # web/events: every event of a known visitor carries its user_id
    "column:web_events.user_id": SELF_SERVICE,
    "column:web_events.utm_source": Effect(changed=_rows(WEB, ["utm_source"])),
    "column:web_events.device_type": Effect(changed=_rows(WEB, ["device_type"])),
    **{
        f"column:web_events.{c}": NONE
        for c in (
            "email",
            "page_url",
            "referrer",
            "utm_medium",
            "utm_campaign",
            "order_id",
            "properties",
        )
    },
    # survey/responses (journey_stage is derived from the touchpoint)
    "column:survey_responses.touchpoint": Effect(
        changed=_rows(SURVEY, ["touchpoint", "journey_stage"])
    ),
    "column:survey_responses.channel": Effect(changed=_rows(SURVEY, ["channel"])),
    "column:survey_responses.score": Effect(null=SURVEY),
    **{
        f"column:survey_responses.{c}": NONE
        for c in (
            "survey_id",
            "customer_id",
            "respondent_email",
            "comment",
            "language",
            "related_id",
        )
    },
    # survey types
    "survey_type:nps": Effect(null=("nps",)),
    "survey_type:csat": Effect(null=("csat",)),
    "survey_type:ces": Effect(null=("ces",)),
    # event types: every session keeps a page_view and another event, so no session is
    # lost or split
    **{
        f"event_type:{t}": NONE
        for t in ("page_view", "product_view", "search", "checkout_start", "signup", "login")
    },
    "event_type:add_to_cart": Effect(null=("cart_abandonment_rate",)),
    # no purchase: 0 of 7 sessions convert; all 4 cart sessions (S1, S2, S6, S7) abandon
    "event_type:purchase": Effect(
        changed=_rows(["conversion_rate", "cart_abandonment_rate"]),
        values=(("conversion_rate", 0.0), ("cart_abandonment_rate", 100.0)),
    ),
    "event_type:help_center_view": Effect(null=("self_service_rate",)),
    # S3 (C2: help centre, then the contact form) becomes self-served: T2 comes 26 h later
    "event_type:contact_form": SELF_SERVICE,
}


def _conflict(a: Effect, b: Effect) -> bool:
    return any(
        (kpi_a == kpi_b and ALL_ROWS in (dim_a, dim_b)) or (kpi_a, dim_a) == (kpi_b, dim_b)
        for kpi_a, dim_a in a.touched
        for kpi_b, dim_b in b.touched
    )


def pack(drops: list[Drop]) -> list[tuple[Drop, ...]]:
    """The drops in as few runs as possible, no two of one run touching the same rows.

    A run then checks each of its drops as if it ran alone: the rows a drop may change
    are changed by no other drop of its run, and every row no drop of the run touches must
    equal the full run's. Drops that touch nothing share runs freely.
    """
    runs: list[list[Drop]] = []
    ordered = sorted(drops, key=lambda d: -len(EFFECTS[d.case_id].touched))
    for drop in ordered:
        for run in runs:
            if not any(_conflict(EFFECTS[drop.case_id], EFFECTS[o.case_id]) for o in run):
                run.append(drop)
                break
        else:
            runs.append([drop])
    return [tuple(run) for run in runs]


def test_every_input_has_a_stated_effect() -> None:
    assert {d.case_id for d in every_drop()} == set(EFFECTS)


@dataclass
class Published:
    stdout: str
    scorecard: pd.DataFrame


class Runs:
    """`cxw run` on the full sample and on each packed run of drops, each once, lazily."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env_dir = root / "data"
        self.done: dict[tuple[Drop, ...], Published] = {}

    def published(self, drops: tuple[Drop, ...]) -> Published:
        if drops not in self.done:
            name = f"run{len(self.done)}"
            landing = self.root / name / "landing"
            write_landing(landing, drops)
            env = cxw_env(
                self.env_dir,
                CXW_LANDING_DIR=str(landing),
                CXW_WAREHOUSE_PATH=str(self.root / name / "cx.duckdb"),
                CXW_SERVING_PATH=str(self.root / name / "serving" / "cx.duckdb"),
            )
            result = run_cxw("run", env=env)
            dropped = ", ".join(d.case_id for d in drops) or "nothing"
            assert result.returncode == 0, f"without {dropped}:\n{result.stdout}{result.stderr}"
            scorecard = _published_scorecard(self.root / name / "serving" / "cx.duckdb")
            self.done[drops] = Published(result.stdout, scorecard)
        return self.done[drops]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return Runs(tmp_path_factory.mktemp("absent_inputs"))


RUN_OF = {drop: run for run in pack(every_drop()) for drop in run}


def _untouched(scorecard: pd.DataFrame, touched: frozenset[tuple[str, str]]) -> pd.DataFrame:
    keep = pd.Series(True, index=scorecard.index)
    for kpi, dimension in touched:
        hit = scorecard["kpi"] == kpi
        if dimension != ALL_ROWS:
            hit &= scorecard["dimension"] == dimension
        keep &= ~hit
    return scorecard[keep].reset_index(drop=True)


def _measured(scorecard: pd.DataFrame) -> pd.DataFrame:
    return scorecard[scorecard["sample_size"] > 0].reset_index(drop=True)


@pytest.mark.parametrize("drop", every_drop(), ids=lambda d: d.case_id)
def test_without_one_input_the_run_publishes_and_only_its_kpis_change(
    drop: Drop, runs: Runs
) -> None:
    full = runs.published(())
    run = RUN_OF[drop]
    published = runs.published(run)
    effect = EFFECTS[drop.case_id]
    scorecard = published.scorecard
    for kpi in effect.null:
        rows = scorecard[scorecard["kpi"] == kpi]
        _overall(scorecard, kpi)  # the all_time / overall row is there
        assert rows["value"].isna().all(), rows.to_string()
        assert rows["numerator"].isna().all() and rows["denominator"].isna().all()
        assert (rows["sample_size"] == 0).all(), rows.to_string()
        assert MISSING_INPUT[kpi] in published.stdout, published.stdout
    for kpi, expected in effect.values:
        assert _overall(scorecard, kpi)["value"] == pytest.approx(expected), kpi
    # every KPI of the scorecard keeps its all_time / overall row
    for kpi in MISSING_INPUT:
        _overall(scorecard, kpi)
    # the rows no drop of this run may change are exactly the full run's
    touched = frozenset().union(*(EFFECTS[d.case_id].touched for d in run))
    # (a row with sample_size 0 comes and goes with its slice: a KPI of the domain keeps
    # a NULL row for a breakdown value only while some KPI of the domain has it)
    pd.testing.assert_frame_equal(
        _measured(_untouched(scorecard, touched)),
        _measured(_untouched(full.scorecard, touched)),
        check_exact=False,
        rtol=1e-12,
        obj=f"rows untouched by {', '.join(d.case_id for d in run)}",
    )
