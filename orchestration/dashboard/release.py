"""Read-only access to the published release for the dashboard (no Streamlit in here).

The dashboard reads the serving file only (`CXW_SERVING_PATH`), never the build file, and
only through read-only DuckDB connections. A release is identified by the inode the
serving path points at: `cxw run` swaps in a new one with an atomic rename, so a changed
inode (and `meta.release.release_id`) means a new release; the dashboard reopens it on its
next rerun, without a restart.

Every number shown comes from a mart: `kpi_scorecard` for the KPIs, and the marts of each
area (`survey_kpis`, `customer_cohorts`, `web_funnel`, `service_kpis`, ...) for their
breakdowns. The only arithmetic done here is a change between two published values and
counts/averages of mart rows for charts that have no KPI (persona sizes, predicted CLV by
segment, the daily backlog summed over priorities), done in SQL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from ..config import settings
from ..serving import current_release

# KPI tiles of the overview: kpi name -> (label, unit, the input it needs when it has no data)
TILES: dict[str, tuple[str, str, str]] = {
    "nps": ("NPS", "", "survey answers with survey_type 'nps' (survey_responses)"),
    "csat": ("CSAT", " %", "survey answers with survey_type 'csat' (survey_responses)"),
    "ces": ("CES", " / 7", "survey answers with survey_type 'ces' (survey_responses)"),
    "conversion_rate": ("Conversion", " %", "web sessions (web_events)"),
    "first_response_time_hours": (
        "First response time",
        " h",
        "tickets with a first_response_at (crm_tickets)",
    ),
    "first_contact_resolution_rate": (
        "First contact resolution",
        " %",
        "solved or closed tickets with agent_replies (crm_tickets)",
    ),
    "churn_rate": ("Churn", " %", "non-cancelled orders (crm_orders)"),
    "customer_lifetime_value": ("CLV", "", "orders with revenue (crm_orders)"),
}

# The service levels of the service page (issue 23), from kpi_scorecard: kpi -> (label,
# unit, the input it needs when it has no data; seeds/kpis.csv's `input`)
SERVICE_TILES: dict[str, tuple[str, str, str]] = {
    "first_response_time_business_hours": (
        "Business-hours first response",
        " h",
        "tickets with a first_response_at (crm_tickets)",
    ),
    "resolution_time_business_hours": (
        "Business-hours resolution",
        " h",
        "solved or closed tickets with a resolved_at (crm_tickets)",
    ),
    "sla_breach_rate": (
        "First response SLA breaches",
        " %",
        "tickets with a first-response SLA target (a priority the service_sla_targets seed lists)",
    ),
    "resolution_sla_breach_rate": (
        "Resolution SLA breaches",
        " %",
        "tickets with a resolution SLA target (a priority the service_sla_targets seed lists)",
    ),
    "reopen_rate": (
        "Reopen rate",
        " %",
        "solved or closed tickets with reopened_count (crm_tickets)",
    ),
    "two_touch_resolution_rate": (
        "Two-touch resolution",
        " %",
        "solved or closed tickets with agent_replies (crm_tickets)",
    ),
}

# what each area's charts need when they have no rows
MISSING_INPUT = {
    "survey": "survey answers (survey_responses landing files)",
    "orders": "orders (crm_orders landing files)",
    "web": "web events (web_events landing files)",
    "tickets": "tickets (crm_tickets landing files)",
    "customers": "customer interactions (any landing source)",
}


class ReleaseNotFound(RuntimeError):
    pass


@dataclass(frozen=True)
class ReleaseInfo:
    release_id: str
    published_at: datetime | None
    as_of: datetime | None
    run_id: str | None
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # asset, check, text


def serving_path() -> Path:
    """The published file the dashboard reads; refuses the build file."""
    s = settings()
    path = s.serving_path
    if path.resolve() == s.warehouse_path.resolve() or (
        path.exists() and s.warehouse_path.exists() and os.path.samefile(path, s.warehouse_path)
    ):
        raise ReleaseNotFound(
            f"CXW_SERVING_PATH {path} is the build file: the dashboard reads only the "
            "published release (data/serving/cx.duckdb)"
        )
    return path


def release_key(path: Path) -> tuple[str, int, int]:
    """What identifies the release behind `path` now: (file to open, inode, mtime in ns).

    The file to open is the release's own file under releases/ (the one the serving path
    is a hard link to) when there is one: DuckDB shares one database per path within a
    process, so reopening the serving path while a connection to it is open would return
    the old release.
    """
    if not path.exists():
        raise ReleaseNotFound(
            f"no release at {path}: run the pipeline first (make run), or set CXW_SERVING_PATH"
        )
    stat = path.stat()
    own = current_release(path)
    return (str(own or path), stat.st_ino, stat.st_mtime_ns)


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the release (it keeps reading this release to its end)."""
    return duckdb.connect(str(path), read_only=True)


class Release:
    """Queries on one open release. Use `cursor()`-based calls: safe across threads."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def sql(self, query: str, params: list | None = None) -> pd.DataFrame:
        cursor = self._con.cursor()
        try:
            return cursor.execute(query, params or []).df()
        finally:
            cursor.close()

    def has_table(self, schema: str, table: str) -> bool:
        return bool(
            self.sql(
                "select count(*) as n from duckdb_tables() "
                "where database_name = current_database() and schema_name = ? "
                "and table_name = ?",
                [schema, table],
            )["n"].iloc[0]
        )

    def has_column(self, schema: str, table: str, column: str) -> bool:
        return bool(
            self.sql(
                "select count(*) as n from duckdb_columns() "
                "where database_name = current_database() and schema_name = ? "
                "and table_name = ? and column_name = ?",
                [schema, table, column],
            )["n"].iloc[0]
        )

    # --- the release -------------------------------------------------------------------

    def info(self) -> ReleaseInfo:
        as_of = "as_of" if self.has_column("meta", "release", "as_of") else "null"
        row = self.sql(
            f"select release_id, published_at, run_id, {as_of} as as_of from meta.release"
        ).iloc[0]
        warnings: list[tuple[str, str, str]] = []
        if self.has_table("meta", "quality_warnings"):
            warnings = [
                tuple(r)
                for r in self.sql(
                    "select asset, check_name, description from meta.quality_warnings "
                    "order by asset, check_name"
                ).itertuples(index=False)
            ]
        return ReleaseInfo(
            release_id=str(row["release_id"]),
            published_at=_timestamp(row["published_at"]),
            as_of=_timestamp(row["as_of"]),
            run_id=None if pd.isna(row["run_id"]) else str(row["run_id"]),
            warnings=warnings,
        )

    # --- kpi_scorecard -----------------------------------------------------------------

    def months(self) -> list[date]:
        """Months the scorecard has rows for, newest first."""
        frame = self.sql(
            "select distinct period_start from marts.kpi_scorecard "
            "where grain = 'month' and period_start is not null order by 1 desc"
        )
        return [_date(v) for v in frame["period_start"]]

    def dimensions(self, kpis: list[str] | None = None) -> list[str]:
        """The scorecard's breakdowns (besides `overall`), of the given KPIs or all."""
        where = "and kpi in (select unnest(?))" if kpis else ""
        frame = self.sql(
            "select distinct dimension from marts.kpi_scorecard "
            f"where dimension <> 'overall' {where} order by 1",
            [kpis] if kpis else [],
        )
        return list(frame["dimension"])

    def scorecard(
        self,
        kpis: list[str],
        *,
        grain: str = "all_time",
        dimension: str = "overall",
        period_start: date | None = None,
    ) -> pd.DataFrame:
        """kpi_scorecard rows of the KPIs, one grain and dimension (and month, if given)."""
        period = "and period_start = ?" if period_start is not None else ""
        params: list = [kpis, grain, dimension]
        if period_start is not None:
            params.append(period_start)
        return self.sql(
            f"""
            select kpi, grain, period_start, dimension, dimension_value, value, numerator,
                   denominator, sample_size, margin_of_error_95
            from marts.kpi_scorecard
            where kpi in (select unnest(?)) and grain = ? and dimension = ? {period}
            order by kpi, period_start, dimension_value
            """,
            params,
        )

    def tiles(self, period_start: date | None) -> pd.DataFrame:
        """One row per tile KPI: the period's value (all time when None) and the change.

        `previous_value` is the month before `period_start`; for all time, `value_month` is
        the latest month's value and `previous_value` the month before it, so the change
        reads "latest month against the previous one". Both are published values.
        """
        kpis = list(TILES)
        months = self.months()
        if period_start is None:
            current = self.scorecard(kpis)
            latest = months[0] if months else None
        else:
            current = self.scorecard(kpis, grain="month", period_start=period_start)
            latest = period_start
        previous = next((m for m in months if latest is not None and m < latest), None)
        monthly = self.sql(
            """
            select kpi, period_start, value from marts.kpi_scorecard
            where grain = 'month' and dimension = 'overall' and kpi in (select unnest(?))
            """,
            [kpis],
        )
        monthly["period_start"] = [_date(v) for v in monthly["period_start"]]

        def month_value(kpi: str, month: date | None) -> float | None:
            rows = monthly[(monthly["kpi"] == kpi) & (monthly["period_start"] == month)]
            return None if rows.empty or pd.isna(rows["value"].iloc[0]) else rows["value"].iloc[0]

        out = pd.DataFrame({"kpi": kpis})
        out = out.merge(current, on="kpi", how="left")
        out["month"] = latest
        out["previous_month"] = previous
        out["value_month"] = [month_value(k, latest) for k in kpis]
        out["previous_value"] = [month_value(k, previous) for k in kpis]
        out["change"] = [
            None if a is None or b is None else a - b
            for a, b in zip(out["value_month"], out["previous_value"], strict=True)
        ]
        return out

    # --- experience --------------------------------------------------------------------

    def nps_by_month(self) -> pd.DataFrame:
        """NPS per month with its 95 % band (value ± margin_of_error_95)."""
        frame = self.sql(
            """
            select period_start, value as nps, margin_of_error_95, sample_size,
                   value - margin_of_error_95 as lower_95, value + margin_of_error_95 as upper_95
            from marts.kpi_scorecard
            where kpi = 'nps' and grain = 'month' and dimension = 'overall'
              and value is not null
            order by period_start
            """
        )
        return frame

    def survey_categories(self) -> pd.DataFrame:
        """Promoters, passives and detractors per month and all time (survey_kpis)."""
        return self.sql(
            """
            select grain, period_start, answers, promoters, passives, detractors,
                   promoter_share, passive_share, detractor_share
            from marts.survey_kpis
            where survey_type = 'nps' and dimension = 'overall' and answers > 0
            order by grain, period_start
            """
        )

    def comments(self, limit: int = 200) -> pd.DataFrame:
        """The latest survey comments, masked as published (survey_comments)."""
        return self.sql(
            """
            select submitted_at, survey_type, score, nps_category, touchpoint, journey_stage,
                   comment, customer_key
            from marts.survey_comments
            order by submitted_at desc
            limit ?
            """,
            [limit],
        )

    # --- commerce ----------------------------------------------------------------------

    def cohorts(self) -> pd.DataFrame:
        return self.sql(
            """
            select cohort_month, months_since_first_order, cohort_customers,
                   active_customers, retention_rate
            from marts.customer_cohorts order by 1, 2
            """
        )

    def clv_predictions(self) -> pd.DataFrame:
        return self.sql(
            "select customer_key, expected_value, probability_alive, horizon_months "
            "from marts.clv_predictions where expected_value is not null"
        )

    def clv_by_segment(self) -> pd.DataFrame:
        """Predicted CLV (clv_predictions.expected_value) per RFM segment: mean, median."""
        return self.sql(
            """
            select s.rfm_segment as segment, count(*) as customers,
                   avg(p.expected_value) as mean_predicted_clv,
                   median(p.expected_value) as median_predicted_clv,
                   sum(p.expected_value) as total_predicted_clv
            from marts.clv_predictions as p
            inner join marts.customer_segments as s using (customer_key)
            where p.expected_value is not null
            group by 1 order by mean_predicted_clv desc
            """
        )

    # --- web ---------------------------------------------------------------------------

    def funnel(self, dimension: str = "overall") -> pd.DataFrame:
        return self.sql(
            """
            select dimension_value, step_number, step, sessions, entries, drop_offs,
                   step_conversion_rate, drop_off_rate, share_of_sessions
            from marts.web_funnel where dimension = ?
            order by dimension_value, step_number
            """,
            [dimension],
        )

    def funnel_dimensions(self) -> list[str]:
        frame = self.sql(
            "select distinct dimension from marts.web_funnel where dimension <> 'overall' "
            "order by 1"
        )
        return list(frame["dimension"])

    # --- service -----------------------------------------------------------------------

    def service(self, dimension: str = "channel", grain: str = "all_time") -> pd.DataFrame:
        """service_kpis rows of one breakdown and grain: times (hours, p50/p90), rates (%)."""
        return self.sql(
            """
            select grain, period_start, dimension_value, tickets,
                   first_response_hours_p50, first_response_hours_p90,
                   resolution_hours_p50, resolution_hours_p90,
                   first_contact_resolution_rate, resolved_tickets_with_replies,
                   first_response_business_hours_p50, first_response_business_hours_p90,
                   resolution_business_hours_p50, resolution_business_hours_p90,
                   sla_breach_rate, resolution_sla_breach_rate, reopen_rate,
                   two_touch_resolution_rate
            from marts.service_kpis where dimension = ? and grain = ?
            order by period_start, dimension_value
            """,
            [dimension, grain],
        )

    def service_levels(self, period_start: date | None) -> pd.DataFrame:
        """One row per SERVICE_TILES KPI (kpi_scorecard overall): all time, or one month.

        A KPI without a published row for the month has value NaN (no data).
        """
        kpis = list(SERVICE_TILES)
        if period_start is None:
            rows = self.scorecard(kpis)
        else:
            rows = self.scorecard(kpis, grain="month", period_start=period_start)
        return pd.DataFrame({"kpi": kpis}).merge(
            rows[["kpi", "value", "numerator", "denominator", "sample_size"]],
            on="kpi",
            how="left",
        )

    def backlog(self, until: date | None = None) -> pd.DataFrame:
        """Open tickets at the end of each local day per channel (service_backlog_daily,
        summed over priorities), up to `until` if given; empty when the release has none."""
        if not self.has_table("marts", "service_backlog_daily"):
            return pd.DataFrame(
                columns=[
                    "backlog_date",
                    "channel",
                    "open_tickets",
                    "tickets_opened",
                    "tickets_solved",
                ]
            )
        return self.sql(
            """
            select backlog_date, channel,
                   cast(sum(open_tickets) as bigint) as open_tickets,
                   cast(sum(tickets_opened) as bigint) as tickets_opened,
                   cast(sum(tickets_solved) as bigint) as tickets_solved
            from marts.service_backlog_daily
            where ? is null or backlog_date <= ?
            group by 1, 2 order by 1, 2
            """,
            [until, until],
        )

    def service_dimensions(self) -> list[str]:
        frame = self.sql(
            "select distinct dimension from marts.service_kpis where dimension <> 'overall' "
            "order by 1"
        )
        return list(frame["dimension"])

    # --- customers ---------------------------------------------------------------------

    def personas(self) -> pd.DataFrame:
        """Customers per persona (customer_segments)."""
        return self.sql(
            "select persona, count(*) as customers from marts.customer_segments "
            "group by 1 order by 2 desc"
        )

    def journey_stages(self) -> pd.DataFrame:
        return self.sql(
            """
            select stage_number, journey_stage, customers_reached, customers_continued,
                   customers_stopped, dead_ends, drop_off_rate
            from marts.journey_stage_dropoff order by stage_number
            """
        )

    def advocates(self, limit: int = 500) -> pd.DataFrame:
        """Advocates by pseudonymous customer_key only (no names, emails or phones)."""
        return self.sql(
            """
            select customer_key, persona, rfm_segment, latest_nps_score, latest_nps_at,
                   orders, revenue, last_order_at
            from marts.advocates
            order by latest_nps_score desc, revenue desc, customer_key
            limit ?
            """,
            [limit],
        )


def _timestamp(value) -> datetime | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime()


def _date(value) -> date:
    return pd.Timestamp(value).date()
