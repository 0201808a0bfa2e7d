"""Every all_time KPI of kpi_scorecard, recomputed from the raw tables with pandas.

The warehouse is built for real: the default sample is generated and loaded, `dbt build`
runs, and this
module recomputes each all_time row of `marts.kpi_scorecard` (overall and every
breakdown) from `raw.*` with pandas, following serving-contract.md, independently of the
SQL: latest versions, de-duplication, sessions, medians and margins of error are all
redone here. The one thing borrowed from the warehouse is the identity resolution
(`marts.customer_identity_map`), which is issue 4's job and tested in test_identity.py.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.generator import generate
from orchestration.identifiers import normalize_identifier
from orchestration.loader import load_landing
from tests.conftest import TEST_HMAC_KEY

REPO = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).parent / "dbt"
# Independent copies of the business constants (their home: dbt_project.yml vars, read by
# orchestration/constants.py): this test recomputes every KPI from the contract's words,
# so it keeps its own values; test_constants checks that the homes still hold them.
CHURN_DAYS = 180
SESSION_TIMEOUT_SECONDS = 30 * 60
NPS_PROMOTER_MIN, NPS_DETRACTOR_MAX = 9, 6  # 9-10 promoters, 0-6 detractors
CSAT_SATISFIED_MIN = 4  # 4-5 of 5
SELF_SERVICE_WINDOW = pd.Timedelta(hours=24)
FUTURE_TOLERANCE = pd.Timedelta(minutes=60)  # dbt var future_tolerance_minutes
REPORTING_CURRENCY = "EUR"  # dbt var reporting_currency
RELATIVE_TOLERANCE = 1e-9
# the service schedule's zone and holiday calendar: the dbt vars' defaults
SERVICE_TIME_ZONE = "Europe/Rome"
SERVICE_HOLIDAY_CALENDAR = "IT"
UNKNOWN = "(unknown)"


# --------------------------------------------------------------------------- the sample


def _land_sample(data_dir: Path, warehouse: Path) -> None:
    """The default deterministic sample (versions, duplicates, cancelled and returned
    orders, empty scores, tickets without a first response, bad rows), loaded for real."""
    landing = data_dir / "landing"
    generate(landing, data_dir / "truth")
    with duckdb.connect(str(warehouse)) as con:
        report = load_landing(con, landing)
    assert report.files, "the generator wrote no landing files"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("kpis")
    data_dir, path = root / "data", root / "warehouse.duckdb"
    env = {
        **os.environ,
        "CXW_DATA_DIR": str(data_dir),
        "CXW_LANDING_DIR": str(data_dir / "landing"),
        "CXW_WAREHOUSE_PATH": str(path),
        "DBT_TARGET_PATH": str(root / "target"),
    }
    _land_sample(data_dir, path)
    result = subprocess.run(
        [
            str(DBT),
            "build",
            "--profiles-dir",
            str(REPO),
            "--project-dir",
            str(REPO),
            "--select",
            "+kpi_scorecard",
            "customer_identity_map",
            "--resource-type",
            "seed",
            "--resource-type",
            "model",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return path


# ----------------------------------------------------------------- raw -> current rows


def _text(series: pd.Series, lower: bool = False) -> pd.Series:
    s = series.astype("string").str.strip()
    s = s.mask(s == "")
    return s.str.lower() if lower else s


def _latest(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Latest version per key: updated_at (missing lowest), then later _file, _line."""
    ordered = frame.assign(_missing=frame["updated_at"].isna()).sort_values(
        ["_missing", "updated_at", "_file", "_line"],
        ascending=[True, False, False, False],
    )
    return ordered.drop_duplicates(key).drop(columns="_missing")


def _future_dated(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Rows whose latest timestamp lies beyond the load time of their batch + tolerance
    (serving contract: kept, but left out of as_of and of measures relative to it)."""
    return frame[columns].max(axis=1) > frame["_loaded_at"] + FUTURE_TOLERANCE


def _reporting_rates(orders: pd.DataFrame) -> pd.Series:
    """Units of the reporting currency per 1 unit of each order's currency: the latest rate
    of seeds/exchange_rates.csv on or before the order date (UTC, the default reporting
    time zone), the pair either way round; NaN when there is none (serving contract).
    Cross rates through a third currency are not redone here: the default seed quotes
    every currency against EUR, the reporting currency."""
    seed = pd.read_csv(REPO / "seeds" / "exchange_rates.csv", parse_dates=["rate_date"])
    legs = pd.concat(
        [
            # 1 base = rate quote: rate units of quote per base, 1 / rate of base per quote
            seed.rename(columns={"base_currency": "source", "quote_currency": "target"}).assign(
                per_unit=lambda f: f["rate"]
            ),
            seed.rename(columns={"quote_currency": "source", "base_currency": "target"}).assign(
                per_unit=lambda f: 1 / f["rate"]
            ),
        ]
    )
    legs = legs[legs["target"] == REPORTING_CURRENCY]

    def rate(currency: str, ordered_at: pd.Timestamp) -> float:
        if currency == REPORTING_CURRENCY:
            return 1.0
        known = legs[(legs["source"] == currency) & (legs["rate_date"] <= ordered_at.normalize())]
        return float(known.sort_values("rate_date")["per_unit"].iloc[-1]) if len(known) else np.nan

    return pd.Series(
        [rate(c, t) for c, t in zip(orders["currency"], orders["ordered_at"], strict=True)],
        index=orders.index,
        dtype="float64",
    )


def _identifier(value: object) -> object:
    return normalize_identifier(value) if isinstance(value, str) else None


def _keyed_hash(value: object) -> object:
    """HMAC-SHA256 hex with the tests' key, as the marts publish emails (Python's hmac)."""
    if not isinstance(value, str):
        return None
    return hmac.new(bytes.fromhex(TEST_HMAC_KEY), value.encode(), hashlib.sha256).hexdigest()


class Raw:
    """The raw tables reduced to current rows with customer keys, in pandas."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        read = lambda sql: con.execute(sql).df()  # noqa: E731
        identity = read(
            "select identifier_type, identifier_value, customer_key "
            "from marts.customer_identity_map"
        )
        keys = {
            t: dict(zip(g["identifier_value"], g["customer_key"], strict=True))
            for t, g in identity.groupby("identifier_type")
        }

        def key_of(customer_ids: pd.Series, emails: pd.Series | None = None) -> pd.Series:
            # the map holds identifiers as compared: NFKC, trimmed, case-folded
            by_id = customer_ids.map(_identifier).map(keys.get("crm_customer_id", {}))
            if emails is None:
                return by_id
            by_email = emails.map(_identifier).map(_keyed_hash).map(keys.get("email_hash", {}))
            return by_id.fillna(by_email)

        customers = read("select * from raw.crm_customers")
        customers["customer_id"] = _text(customers["customer_id"])
        self.customers = _latest(customers, "customer_id")
        self.customers["future"] = _future_dated(self.customers, ["created_at", "updated_at"])

        orders = read("select * from raw.crm_orders")
        for column in ("order_id", "customer_id"):
            orders[column] = _text(orders[column])
        for column in ("channel", "status"):
            orders[column] = _text(orders[column], lower=True)
        orders = _latest(orders, "order_id")
        orders["amount"] = orders["amount"].astype("float64")
        orders["currency"] = _text(orders["currency"]).str.upper().fillna("EUR")
        orders["reporting_amount"] = orders["amount"] * _reporting_rates(orders)
        orders["customer_key"] = key_of(orders["customer_id"])
        orders["future"] = _future_dated(orders, ["ordered_at", "updated_at"])
        self.orders = orders

        tickets = read("select * from raw.crm_tickets")
        for column in ("ticket_id", "customer_id"):
            tickets[column] = _text(tickets[column])
        for column in ("channel", "priority", "status"):
            tickets[column] = _text(tickets[column], lower=True)
        tickets["contact_email"] = _text(tickets["contact_email"], lower=True)
        tickets = _latest(tickets, "ticket_id")
        tickets["customer_key"] = key_of(tickets["customer_id"], tickets["contact_email"])
        tickets["future"] = _future_dated(
            tickets, ["opened_at", "first_response_at", "resolved_at", "updated_at"]
        )
        self.tickets = tickets

        answers = read("select * from raw.survey_responses")
        answers["response_id"] = _text(answers["response_id"])
        answers["customer_id"] = _text(answers["customer_id"])
        answers["respondent_email"] = _text(answers["respondent_email"], lower=True)
        for column in ("survey_type", "touchpoint", "channel"):
            answers[column] = _text(answers[column], lower=True)
        answers = answers.sort_values(["submitted_at", "_file", "_line"]).drop_duplicates(
            "response_id"
        )
        stages = pd.read_csv(REPO / "seeds" / "journey_stages.csv")
        by_touchpoint = stages[stages["match_type"] == "touchpoint"]
        default_stage = stages.loc[stages["match_type"] == "default", "journey_stage"].iloc[0]
        answers["journey_stage"] = (
            answers["touchpoint"]
            .map(
                dict(zip(by_touchpoint["match_value"], by_touchpoint["journey_stage"], strict=True))
            )
            .fillna(default_stage)
        )
        self.answers = answers

        events = read("select * from raw.web_events")
        events["event_id"] = _text(events["event_id"])
        events["anonymous_id"] = _text(events["anonymous_id"])
        for column in ("event_type", "utm_source", "device_type"):
            events[column] = _text(events[column], lower=True)
        events = events.sort_values(["_loaded_at", "_file", "_line"]).drop_duplicates("event_id")
        self.events = events
        self.sessions = self._sessions(events, keys.get("anonymous_id", {}))

    @staticmethod
    def _sessions(events: pd.DataFrame, anonymous_keys: dict) -> pd.DataFrame:
        e = events.sort_values(["anonymous_id", "event_at", "event_id"]).reset_index(drop=True)
        # the exact gap (issue 17: 1800.8 s is over 30 minutes; no truncation to seconds)
        gap = e.groupby("anonymous_id")["event_at"].diff().dt.total_seconds()
        e["session_number"] = (gap.isna() | (gap > SESSION_TIMEOUT_SECONDS)).astype(int)
        e["session_number"] = e.groupby("anonymous_id")["session_number"].cumsum()
        grouped = e.groupby(["anonymous_id", "session_number"], sort=False)
        sessions = grouped.agg(
            started_at=("event_at", "min"),
            ended_at=("event_at", "max"),
            device_type=("device_type", "first"),  # first non-null, in event order (as arg_min)
        )
        sessions["utm_source"] = grouped["utm_source"].agg(
            lambda s: s.dropna().iloc[0] if s.notna().any() else None
        )
        for kind in ("purchase", "add_to_cart", "help_center_view", "contact_form"):
            sessions[f"has_{kind}"] = grouped["event_type"].agg(lambda s, k=kind: (s == k).any())
        sessions = sessions.reset_index()
        sessions["customer_key"] = sessions["anonymous_id"].map(anonymous_keys)
        return sessions

    def as_of(self) -> pd.Timestamp:
        """The latest timestamp of the rows that are not future-dated."""
        customers = self.customers[~self.customers["future"]]
        orders = self.orders[~self.orders["future"]]
        tickets = self.tickets[~self.tickets["future"]]
        events = self.events[~_future_dated(self.events, ["event_at"])]
        answers = self.answers[~_future_dated(self.answers, ["submitted_at"])]
        candidates = [
            customers["created_at"],
            customers["updated_at"],
            orders["ordered_at"],
            orders["updated_at"],
            tickets["opened_at"],
            tickets["first_response_at"],
            tickets["resolved_at"],
            tickets["updated_at"],
            events["event_at"],
            answers["submitted_at"],
        ]
        return max(c.max() for c in candidates if c.notna().any())


# ------------------------------------------------------------------------ the KPIs


def _slices(frame: pd.DataFrame, dimensions: list[str]):
    """(dimension, dimension_value, rows) for overall and every value of each dimension."""
    yield "overall", "all", frame
    for dimension in dimensions:
        values = frame[dimension].astype("string").str.strip()
        values = values.mask(values == "").fillna(UNKNOWN)
        for value, rows in frame.groupby(values, sort=False):
            yield dimension, value, rows


def _row(kpi, dimension, value_of, value, numerator, denominator, sample_size, moe=None):
    return {
        "kpi": kpi,
        "dimension": dimension,
        "dimension_value": value_of,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "sample_size": sample_size,
        "margin_of_error_95": moe,
    }


def survey_kpis(raw: Raw) -> list[dict]:
    rows = []
    scored = raw.answers[raw.answers["score"].notna()]
    for dimension, value_of, a in _slices(scored, ["touchpoint", "journey_stage", "channel"]):
        nps = a[a["survey_type"] == "nps"]["score"]
        if len(nps):
            n = len(nps)
            promoters = int((nps >= NPS_PROMOTER_MIN).sum())
            detractors = int((nps <= NPS_DETRACTOR_MAX).sum())
            p, d = promoters / n, detractors / n
            moe = 1.96 * 100 * math.sqrt((p + d - (p - d) ** 2) / n)
            rows.append(
                _row(
                    "nps",
                    dimension,
                    value_of,
                    100 * (promoters - detractors) / n,
                    promoters - detractors,
                    n,
                    n,
                    moe,
                )
            )
        csat = a[a["survey_type"] == "csat"]["score"]
        if len(csat):
            n, satisfied = len(csat), int((csat >= CSAT_SATISFIED_MIN).sum())
            s = satisfied / n
            rows.append(
                _row(
                    "csat",
                    dimension,
                    value_of,
                    100 * satisfied / n,
                    satisfied,
                    n,
                    n,
                    1.96 * 100 * math.sqrt(s * (1 - s) / n),
                )
            )
        ces = a[a["survey_type"] == "ces"]["score"].astype(float)
        if len(ces):
            n = len(ces)
            moe = 1.96 * ces.std(ddof=1) / math.sqrt(n) if n >= 2 else None
            rows.append(_row("ces", dimension, value_of, ces.mean(), ces.sum(), n, n, moe))
    return rows


def order_kpis(raw: Raw) -> list[dict]:
    rows = []
    cutoff = raw.as_of() - pd.Timedelta(days=CHURN_DAYS)
    orders = raw.orders.assign(
        non_cancelled=raw.orders["status"] != "cancelled",
        revenue_order=~raw.orders["status"].isin(["cancelled", "returned"]),
    )
    for dimension, value_of, o in _slices(orders, ["channel", "currency"]):
        # money: a currency breakdown in that currency, every other slice in the reporting
        # currency over the orders that have a rate (the others count in no revenue KPI)
        o = o.assign(
            money=o["amount"] if dimension == "currency" else o["reporting_amount"],
        )
        o = o.assign(valued=o["money"].notna())
        revenue_orders = o[o["revenue_order"] & o["valued"]]
        if len(revenue_orders):
            total, count = revenue_orders["money"].sum(), len(revenue_orders)
            rows.append(
                _row("average_order_value", dimension, value_of, total / count, total, count, count)
            )
        known = o[o["customer_key"].notna()]
        per_customer = known.groupby("customer_key").apply(
            lambda g: pd.Series(
                {
                    "orders": int(g["non_cancelled"].sum()),
                    "valued_orders": int((g["non_cancelled"] & g["valued"]).sum()),
                    "revenue": g.loc[g["revenue_order"] & g["valued"], "money"].sum(),
                    # churn is relative to as_of: future-dated orders do not count
                    "last_at": g.loc[g["non_cancelled"] & ~g["future"], "ordered_at"].max(),
                }
            ),
            include_groups=False,
        )
        buyers = per_customer[per_customer["orders"] >= 1] if len(per_customer) else per_customer
        valued_buyers = (
            per_customer[per_customer["valued_orders"] >= 1] if len(per_customer) else per_customer
        )
        if len(valued_buyers):
            # serving contract: revenue / customers with at least one non-cancelled order
            # (changed by issue 17: customers whose only orders were cancelled no longer
            # count), over the orders that have an exchange rate
            revenue, customers = per_customer["revenue"].sum(), len(valued_buyers)
            rows.append(
                _row(
                    "customer_lifetime_value",
                    dimension,
                    value_of,
                    revenue / customers,
                    revenue,
                    customers,
                    customers,
                )
            )
        if len(buyers):
            n = len(buyers)
            repeat = int((buyers["orders"] >= 2).sum())
            churned = int((buyers["last_at"] < cutoff).sum())
            churn_base = int(buyers["last_at"].notna().sum())
            orders_count = int(buyers["orders"].sum())
            rows += [
                _row("repeat_customer_rate", dimension, value_of, 100 * repeat / n, repeat, n, n),
                _row(
                    "purchase_frequency", dimension, value_of, orders_count / n, orders_count, n, n
                ),
                _row(
                    "churn_rate",
                    dimension,
                    value_of,
                    100 * churned / churn_base,
                    churned,
                    churn_base,
                    churn_base,
                ),
            ]
    return rows


def web_kpis(raw: Raw) -> list[dict]:
    rows = []
    sessions = raw.sessions.copy()
    tickets = raw.tickets[raw.tickets["customer_key"].notna()]
    followed = set()
    help_sessions = sessions[sessions["has_help_center_view"] & sessions["customer_key"].notna()]
    joined = help_sessions.reset_index().merge(
        tickets[["customer_key", "opened_at"]], on="customer_key"
    )
    within = (joined["opened_at"] >= joined["started_at"]) & (
        joined["opened_at"] <= joined["ended_at"] + SELF_SERVICE_WINDOW
    )
    followed = set(joined.loc[within, "index"])
    sessions["self_served"] = (
        sessions["has_help_center_view"]
        & ~sessions["has_contact_form"]
        & ~sessions.index.isin(list(followed))
    )
    for dimension, value_of, s in _slices(sessions, ["device_type", "utm_source"]):
        n, purchases = len(s), int(s["has_purchase"].sum())
        rows.append(
            _row("conversion_rate", dimension, value_of, 100 * purchases / n, purchases, n, n)
        )
        carts = s[s["has_add_to_cart"]]
        if len(carts):
            abandoned = int((~carts["has_purchase"]).sum())
            rows.append(
                _row(
                    "cart_abandonment_rate",
                    dimension,
                    value_of,
                    100 * abandoned / len(carts),
                    abandoned,
                    len(carts),
                    len(carts),
                )
            )
        helped = s[s["has_help_center_view"]]
        if len(helped):
            served = int(helped["self_served"].sum())
            rows.append(
                _row(
                    "self_service_rate",
                    dimension,
                    value_of,
                    100 * served / len(helped),
                    served,
                    len(helped),
                    len(helped),
                )
            )
    return rows


class BusinessClock:
    """Business seconds between two UTC instants, on the schedule, holiday and SLA seeds
    (the business's configuration), computed here day by day with zoneinfo: each open
    day's local opening hours placed in that day's offset, independently of the SQL."""

    def __init__(self) -> None:
        self.zone = ZoneInfo(SERVICE_TIME_ZONE)
        schedules = pd.read_csv(REPO / "seeds" / "service_schedules.csv", dtype=str)
        self.hours: dict[str, dict[int, tuple[str, str]]] = {}
        for row in schedules.itertuples():
            self.hours.setdefault(row.channel, {})[int(row.iso_weekday)] = (
                row.opens_at,
                row.closes_at,
            )
        holidays = pd.read_csv(REPO / "seeds" / "service_holidays.csv", dtype=str)
        self.holidays = set(
            holidays.loc[holidays["calendar"] == SERVICE_HOLIDAY_CALENDAR, "holiday_date"]
        )
        targets = pd.read_csv(REPO / "seeds" / "service_sla_targets.csv", dtype=str)
        self.targets = {
            (row.sla_metric, row.priority, row.channel): float(row.target_business_hours)
            for row in targets.itertuples()
        }

    def _utc(self, day: date, hhmm: str) -> datetime:
        """`hhmm` local on `day` (wall-clock arithmetic: 24:00 is the next midnight), in UTC."""
        hours, minutes = (int(part) for part in hhmm.split(":"))
        local = datetime.combine(day, time(0), tzinfo=self.zone) + timedelta(
            hours=hours, minutes=minutes
        )
        return local.astimezone(UTC)

    def seconds(self, channel: object, start: pd.Timestamp, end: pd.Timestamp) -> float | None:
        if pd.isna(start) or pd.isna(end):
            return None
        schedule = self.hours.get(channel) if isinstance(channel, str) else None
        schedule = schedule or self.hours["default"]
        start_utc = start.tz_localize("UTC").to_pydatetime()
        end_utc = end.tz_localize("UTC").to_pydatetime()
        total = 0.0
        day = start_utc.astimezone(self.zone).date() - timedelta(days=1)
        while day <= end_utc.astimezone(self.zone).date():
            if day.isoformat() not in self.holidays and day.isoweekday() in schedule:
                opens, closes = schedule[day.isoweekday()]
                opens_at, closes_at = self._utc(day, opens), self._utc(day, closes)
                overlap = min(end_utc, closes_at) - max(start_utc, opens_at)
                total += max(overlap.total_seconds(), 0.0)
            day += timedelta(days=1)
        return total

    def target(self, metric: str, priority: object, channel: object) -> float | None:
        if not isinstance(priority, str):
            return None
        return self.targets.get((metric, priority, channel)) or self.targets.get(
            (metric, priority, "default")
        )


def _sla_breached(measured: float | None, waited: float, target: float | None) -> bool | None:
    """Breached: measured later than the target, or not yet measured and waited past it."""
    if target is None:
        return None
    return measured > target if measured is not None else waited > target


def service_kpis(raw: Raw) -> list[dict]:
    rows = []
    t = raw.tickets.copy()
    t["first_response_hours"] = (t["first_response_at"] - t["opened_at"]).dt.total_seconds() / 3600
    t["resolution_hours"] = (t["resolved_at"] - t["opened_at"]).dt.total_seconds() / 3600
    t["resolved"] = t["status"].isin(["solved", "closed"])
    clock, as_of = BusinessClock(), raw.as_of()

    def business_hours(column: str) -> pd.Series:
        return pd.Series(
            [
                None if (s := clock.seconds(c, o, e)) is None else s / 3600
                for c, o, e in zip(t["channel"], t["opened_at"], t[column], strict=True)
            ],
            index=t.index,
            dtype="float64",
        )

    t["first_response_business_hours"] = business_hours("first_response_at")
    t["resolution_business_hours"] = business_hours("resolved_at")
    t["waited_business_hours"] = [
        max(clock.seconds(c, o, as_of) / 3600, 0.0)
        for c, o in zip(t["channel"], t["opened_at"], strict=True)
    ]
    resolution_known = t["resolution_business_hours"].where(t["resolved"])
    # a ticket solved without a recorded reply stopped waiting when it was solved
    first_response_known = t["first_response_business_hours"].fillna(resolution_known)
    for metric, measured in (
        ("first_response", first_response_known),
        ("resolution", resolution_known),
    ):
        t[f"{metric}_breached"] = [
            _sla_breached(None if pd.isna(m) else m, w, clock.target(metric, priority, channel))
            for m, w, priority, channel in zip(
                measured, t["waited_business_hours"], t["priority"], t["channel"], strict=True
            )
        ]
    for dimension, value_of, s in _slices(t, ["channel", "priority"]):
        resolved = s[s["resolved"]]
        for kpi, hours in (
            ("first_response_time_hours", s["first_response_hours"]),
            ("resolution_time_hours", resolved["resolution_hours"]),
            ("first_response_time_business_hours", s["first_response_business_hours"]),
            ("resolution_time_business_hours", resolved["resolution_business_hours"]),
        ):
            hours = hours.dropna()
            if len(hours):
                rows.append(_row(kpi, dimension, value_of, hours.median(), None, None, len(hours)))
        no_reopening = resolved["reopened_count"].fillna(0) == 0
        replies = resolved["agent_replies"]
        for kpi, hits, base in (
            (
                "first_contact_resolution_rate",
                (replies == 1) & no_reopening,
                replies.notna(),
            ),
            ("two_touch_resolution_rate", (replies == 2) & no_reopening, replies.notna()),
            (
                "reopen_rate",
                resolved["reopened_count"] > 0,
                resolved["reopened_count"].notna(),
            ),
            (
                "sla_breach_rate",
                s["first_response_breached"] == True,  # noqa: E712 (None is no target)
                s["first_response_breached"].notna(),
            ),
            (
                "resolution_sla_breach_rate",
                s["resolution_breached"] == True,  # noqa: E712
                s["resolution_breached"].notna(),
            ),
        ):
            n = int(base.sum())
            if n:
                k = int((hits & base).sum())
                rows.append(_row(kpi, dimension, value_of, 100 * k / n, k, n, n))
    return rows


# --------------------------------------------------------------------------- the test


def scorecard_and_pandas(warehouse: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """kpi_scorecard's all_time rows of `warehouse`, and their pandas recomputation from the
    raw rows it holds (every KPI's promised rows included)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        raw = Raw(con)
        scorecard = con.execute("select * from marts.kpi_scorecard where grain = 'all_time'").df()
    expected = pd.DataFrame(
        _with_promised_rows(survey_kpis(raw), SURVEY_KPIS)
        + _with_promised_rows(order_kpis(raw), ORDER_KPIS)
        + _with_promised_rows(web_kpis(raw), WEB_KPIS)
        + _with_promised_rows(service_kpis(raw), SERVICE_KPIS)
    )
    return scorecard, expected


@pytest.fixture(scope="module")
def scorecard_and_expected(warehouse: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return scorecard_and_pandas(warehouse)


# The KPIs of each domain, written out again here (seeds/kpis.csv is the warehouse's list;
# the test keeps its own, independent copy).
SURVEY_KPIS = ("nps", "csat", "ces")
ORDER_KPIS = (
    "repeat_customer_rate", "purchase_frequency", "average_order_value",
    "customer_lifetime_value", "churn_rate",
)  # fmt: skip
WEB_KPIS = ("conversion_rate", "cart_abandonment_rate", "self_service_rate")
SERVICE_KPIS = (
    "first_response_time_hours",
    "resolution_time_hours",
    "first_contact_resolution_rate",
    "first_response_time_business_hours",
    "resolution_time_business_hours",
    "sla_breach_rate",
    "resolution_sla_breach_rate",
    "reopen_rate",
    "two_touch_resolution_rate",
)


def _with_promised_rows(rows: list[dict], kpis: tuple[str, ...]) -> list[dict]:
    """The serving contract's rows for KPIs without input: every KPI of a domain has a row
    for each slice some KPI of the domain has (and always all_time / overall), NULL with
    sample_size 0 where it has no observation."""
    slices = {(r["dimension"], r["dimension_value"]) for r in rows} | {("overall", "all")}
    present = {(r["kpi"], r["dimension"], r["dimension_value"]) for r in rows}
    return rows + [
        _row(kpi, dimension, value_of, None, None, None, 0)
        for kpi in kpis
        for dimension, value_of in sorted(slices)
        if (kpi, dimension, value_of) not in present
    ]


KEYS = ["kpi", "dimension", "dimension_value"]
MEASURES = ["value", "numerator", "denominator", "sample_size", "margin_of_error_95"]


def test_every_contract_kpi_has_an_all_time_overall_row(scorecard_and_expected):
    scorecard, _ = scorecard_and_expected
    overall = scorecard[scorecard["dimension"] == "overall"]
    assert set(overall["kpi"]) == {
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
        "first_response_time_business_hours",
        "resolution_time_business_hours",
        "sla_breach_rate",
        "resolution_sla_breach_rate",
        "reopen_rate",
        "two_touch_resolution_rate",
        "self_service_rate",
    }
    assert not overall.duplicated(KEYS).any()


def recomputation_problems(scorecard: pd.DataFrame, expected: pd.DataFrame) -> list[str]:
    """Each measure of a scorecard row that differs from its pandas recomputation (beyond
    RELATIVE_TOLERANCE), as text; asserts that both hold the same rows."""
    merged = scorecard.merge(
        expected, on=KEYS, how="outer", suffixes=("", "_expected"), indicator=True
    )
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, unmatched[[*KEYS, "_merge"]].to_string()
    problems = []
    for measure in MEASURES:
        actual = merged[measure].astype("float64")
        wanted = merged[f"{measure}_expected"].astype("float64")
        both_null = actual.isna() & wanted.isna()
        close = np.isclose(actual, wanted, rtol=RELATIVE_TOLERANCE, atol=0.0)
        # values that should be exactly 0 compare absolutely (a relative error is undefined)
        close |= (wanted == 0) & (actual.abs() < 1e-12)
        bad = ~(both_null | close)
        for _, row in merged[bad].iterrows():
            problems.append(
                f"{row['kpi']}/{row['dimension']}={row['dimension_value']} "
                f"{measure}: sql {row[measure]!r} pandas {row[measure + '_expected']!r}"
            )
    return problems


def test_all_time_rows_match_the_pandas_recomputation(scorecard_and_expected):
    problems = recomputation_problems(*scorecard_and_expected)
    assert not problems, "\n".join(problems[:40])
