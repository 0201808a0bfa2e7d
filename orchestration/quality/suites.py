"""The quality suites: GX expectation suites over small frames that DuckDB aggregates.

Each rule has one home. The landing contract's row rules (required values, types,
minimums, timestamp order, listed words in required columns) are the loader's: it
quarantines a breaking row. Keys, relationships and accepted values are dbt tests in the
models' yml. These suites keep what needs Great Expectations: reconciliation of the marts
with the raw totals, KPI ranges and completeness, change against the last published
release, thresholds (linked share, identity merge guards), and the warnings that name
what a person has to look at (unknown words kept, future-dated rows, orders without an
exchange rate, CLV models not fitted), all shown in Data Docs.

A suite guards one Dagster asset and validates one or more frames; a frame is a DuckDB
query (or, against the last release, a Python function) whose result is small: a per-row
rule over a big table is aggregated in DuckDB first (e.g. the share of linked rows, the
distinct unknown words), so GX never holds a big table (see the package docstring).
Severity is GX's own: ``critical`` blocks the publish, ``warning`` is reported.
Thresholds are GX suite parameters (``{"$PARAMETER": name}``), filled from params.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Column

from ..constants import KPI_SEED as KPI_SEED  # re-exported: tests read the seed path here
from ..constants import Kpi, kpis
from ..loader.contract import ENTITIES, Entity
from ..vocabulary import value_sql, vocabulary
from .params import suite_params
from .warehouse import connect_read_only

BLOCKING = "critical"
WARNING = "warning"

# The KPIs of the serving contract: their one home is the dbt seed seeds/kpis.csv, which
# kpi_scorecard reads too (its always-present rows); read through orchestration.constants.
KPIS: tuple[Kpi, ...] = kpis()
CONTRACT_KPIS = tuple(kpi.name for kpi in KPIS)


@dataclass(frozen=True)
class PreviousRelease:
    """What a Python frame builder may use: the warehouse (read-only) and the last release."""

    con: duckdb.DuckDBPyConnection
    path: Path | None


@dataclass(frozen=True)
class Frame:
    """Data to validate: ``sql`` (DuckDB, read-only warehouse) or ``build`` (returns None
    when there is no last release to compare with: the frame is skipped)."""

    name: str
    description: str
    expectations: tuple[Expectation, ...]
    sql: str | None = None
    build: Callable[[PreviousRelease], pd.DataFrame | None] | None = None


@dataclass(frozen=True)
class Suite:
    name: str  # also the Dagster check name: letters, digits, underscores
    asset: tuple[str, ...]  # the asset key path it guards, e.g. ("marts", "kpi_scorecard")
    description: str
    frames: tuple[Frame, ...]
    # other assets it reads (the check waits for them), e.g. raw tables for reconciliation
    reads: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    @property
    def severities(self) -> set[str]:
        return {str(e.severity.value) for f in self.frames for e in f.expectations}


def _param(name: str) -> dict:
    return {"$PARAMETER": name}


def _note(severity: str, text: str) -> str:
    return f"**{'blocking' if severity == BLOCKING else 'warning'}**: {text}"


def _none_above(column: str, maximum, severity: str, notes: str, **meta) -> Expectation:
    """Every value of `column` is at most `maximum` (a number or a suite parameter)."""
    return gxe.ExpectColumnValuesToBeBetween(
        column=column, max_value=maximum, severity=severity, notes=_note(severity, notes),
        meta=meta,
    )  # fmt: skip


def _all_null(column: str, severity: str, notes: str, **meta) -> Expectation:
    """`column` holds a message for each problem row, NULL elsewhere."""
    return gxe.ExpectColumnValuesToBeNull(
        column=column, severity=severity, notes=_note(severity, notes), meta=meta
    )


def _share_at_least(column: str, what: str) -> Expectation:
    return gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=_param("min_linked_share"), max_value=1, severity=WARNING,
        notes=_note(WARNING, f"{what} (CXW_QUALITY_MIN_LINKED_SHARE)"),
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# raw: what the loader keeps but a person should look at


def _words_frame(entity: Entity) -> Frame | None:
    """Words of optional columns that are neither listed nor a synonym: kept as unknown."""
    columns = [
        c for c in entity.columns
        if c.vocabulary and not c.required and not vocabulary(c.vocabulary).open
    ]  # fmt: skip
    if not columns:
        return None
    # the raw words are grouped first, so the vocabulary is read once per distinct word
    selects = " union all ".join(
        f"select '{c.name}' as column_name, coalesce("
        f"{value_sql(vocabulary(c.vocabulary), c.name)}, nullif(trim({c.name}), '')) as word, "
        f"sum(row_count) as row_count from (select {c.name}, count(*) as row_count "
        f"from raw.{entity.name} group by all) group by all"
        for c in columns
    )
    return Frame(
        name="words",
        description=f"each word of an optional listed column of raw.{entity.name}, as read",
        sql=selects,
        expectations=tuple(
            gxe.ExpectColumnValuesToBeInSet(
                column="word",
                value_set=list(vocabulary(c.vocabulary).listed),
                row_condition=Column("column_name") == c.name,
                severity=WARNING,
                notes=_note(
                    WARNING,
                    f"`{c.name}`: a word that is neither a listed value nor a synonym in "
                    "seeds/vocabulary.csv is kept as unknown; map it there if it means a "
                    "listed value",
                ),
                meta={"target": c.name},
            )
            for c in columns
        ),
    )


# entity: (later, earlier) timestamp pairs whose order a warning checks, and format rules
ORDERED = {
    "crm_customers": ("updated_at", "created_at"),
    "crm_orders": ("updated_at", "ordered_at"),
}
FORMATS = {
    "crm_customers": ("country", "^[A-Za-z]{2}$"),
    "crm_orders": ("currency", "^[A-Z]{3}$"),
}


def _rows_frame(entity: Entity) -> Frame:
    """Counts of rows that break a warning rule, in one row (DuckDB counts)."""
    timestamps = ", ".join(c.name for c in entity.columns if c.type == "timestamp")
    counts = {
        "future_dated_rows": (
            f"greatest({timestamps}) > _loaded_at + to_minutes(" + str(_future_tolerance()) + ")",
            "rows with a timestamp after the load time of their batch (+ dbt var "
            "future_tolerance_minutes) cannot be true (a clock or time zone problem at the "
            "source): they are kept, flagged is_future_dated, and left out of as_of and of "
            "churn and recency",
        )
    }
    if entity.name in ORDERED:
        later, earlier = ORDERED[entity.name]
        counts[f"{later}_before_{earlier}_rows"] = (
            f"{later} < {earlier}",
            f"`{later}` must not precede `{earlier}`",
        )
    if entity.name in FORMATS:
        column, pattern = FORMATS[entity.name]
        counts[f"malformed_{column}_rows"] = (
            f"not regexp_full_match({column}, '{pattern}')",
            f"`{column}` is an ISO code ({pattern})",
        )
    selects = ", ".join(
        f"count(*) filter (where {rule}) as {name}" for name, (rule, _) in counts.items()
    )
    # the future-dated rule compares each row's latest timestamp with its load horizon
    targets = {"future_dated_rows": "_load_horizon, _latest_timestamp"}
    return Frame(
        name="rows",
        description=f"rows of raw.{entity.name} breaking a warning rule, counted by DuckDB",
        sql=f"select {selects}, count(*) as rows_checked from raw.{entity.name}",
        expectations=tuple(
            _none_above(
                name, 0, WARNING, f"{entity.name}: {notes}",
                rows_of="rows_checked", **({"target": targets[name]} if name in targets else {}),
            )
            for name, (_, notes) in counts.items()
        ),
    )  # fmt: skip


def _future_tolerance() -> int:
    return int(suite_params()["future_tolerance_minutes"])


def raw_suite(entity: Entity) -> Suite:
    frames = (_words_frame(entity), _rows_frame(entity))
    return Suite(
        name=f"raw_{entity.name}",
        asset=("raw", entity.name),
        description=(
            f"What raw.{entity.name} keeps but a person should look at: unknown words in "
            "optional columns, future-dated rows, timestamps out of order, malformed codes. "
            "(The landing contract's row rules are the loader's: it quarantines.)"
        ),
        frames=tuple(f for f in frames if f is not None),
    )


# ---------------------------------------------------------------------------------------
# staging / identity: after dedup and stitching.


def _linked_share_frame(name: str, description: str, sql: str, what: str) -> Frame:
    return Frame(
        name=name,
        description=description,
        sql=f"select count(*) as row_count, count(linked) / count(*) as linked_share from ({sql})",
        expectations=(_share_at_least("linked_share", what),),
    )


STAGING_ORDERS = Suite(
    name="staging_crm_orders",
    asset=("staging", "stg_crm__orders"),
    reads=(("staging", "stg_crm__customers"),),
    description="Latest order versions: the customer each order names is in the CRM extract.",
    frames=(
        _linked_share_frame(
            "customer_resolution",
            "share of latest orders whose customer_id is in the CRM extract",
            """
                select customers.customer_id as linked
                from staging.stg_crm__orders as orders
                left join staging.stg_crm__customers as customers
                    on orders.customer_id = customers.customer_id
            """,
            "orders whose customer_id is not (yet) in the CRM extract still get a "
            "customer_key, but without a profile",
        ),
    ),
)

IDENTITY = Suite(
    name="marts_customer_identity_map",
    asset=("marts", "customer_identity_map"),
    description="Identity components stay within the merge guards (dbt vars max_*_per_person).",
    frames=(
        Frame(
            name="components",
            description=(
                "each distinct (CRM records, emails, phones) a customer_key unites, with how "
                "many customer_keys have it"
            ),
            sql="""
                with components as (
                    select
                        customer_key,
                        count(*) filter (where identifier_type = 'crm_customer_id') as crm_records,
                        count(*) filter (where identifier_type = 'email_hash') as emails,
                        count(*) filter (where identifier_type = 'phone_hash') as phones,
                    from marts.customer_identity_map
                    group by customer_key
                )
                select crm_records, emails, phones, count(*) as customer_keys
                from components
                group by all
            """,
            expectations=(
                _none_above(
                    "crm_records",
                    _param("max_crm_records_per_person"),
                    BLOCKING,
                    "a customer_key uniting more CRM records than max_crm_records_per_person "
                    "is an over-merge: every number of those people would be wrong",
                ),
                _none_above(
                    "emails",
                    _param("max_emails_per_person"),
                    WARNING,
                    "more emails than max_emails_per_person on one person: possible over-merge",
                ),
                _none_above(
                    "phones",
                    _param("max_phones_per_person"),
                    WARNING,
                    "more phones than max_phones_per_person on one person: possible over-merge",
                ),
            ),
        ),
    ),
)


def _linked_facts_suite(model: str, what: str) -> Suite:
    return Suite(
        name=f"marts_{model}",
        asset=("marts", model),
        description=f"Share of {what} linked to a unified customer.",
        frames=(
            _linked_share_frame(
                "customer_link",
                f"share of {what} with a customer_key",
                f"select customer_key as linked from marts.{model}",
                f"{what} without a customer_key are left out of every customer KPI",
            ),
        ),
    )


# ---------------------------------------------------------------------------------------
# marts: reconciliation, KPI ranges and completeness, drift against the last release.

RECONCILIATION = Suite(
    name="marts_fct_orders",
    asset=("marts", "fct_orders"),
    reads=(("raw", "crm_orders"),),
    description=(
        "Orders and revenue in the marts equal the raw totals: latest version per order_id "
        "(updated_at, then later file, then later line); revenue excludes cancelled and "
        "returned orders (raw words read through seeds/vocabulary.csv); quarantined rows never "
        "reach raw."
    ),
    frames=(
        Frame(
            name="reconciliation",
            description="orders and revenue: fct_orders against raw.crm_orders",
            sql=f"""
                with latest_orders as (
                    select order_id, {value_sql(vocabulary("order_status"), "status")} as status,
                        amount,
                    from raw.crm_orders
                    qualify row_number() over (
                        partition by order_id
                        order by updated_at desc nulls last, _file desc, _line desc
                    ) = 1
                ),
                raw_totals as (
                    select
                        count(*) as orders,
                        coalesce(sum(amount) filter (
                            where status not in ('cancelled', 'returned')
                        ), 0) as revenue,
                    from latest_orders
                ),
                mart_totals as (
                    select
                        count(*) as orders,
                        coalesce(sum(amount) filter (where is_revenue), 0) as revenue,
                    from marts.fct_orders
                ),
                measures as (
                    select 'orders' as measure, mart_totals.orders::double as mart_value,
                        raw_totals.orders::double as raw_value
                    from mart_totals, raw_totals
                    union all
                    select 'revenue', mart_totals.revenue::double, raw_totals.revenue::double
                    from mart_totals, raw_totals
                )
                select *, abs(mart_value - raw_value) as abs_difference from measures
            """,
            expectations=(
                _none_above(
                    "abs_difference",
                    0.005,
                    BLOCKING,
                    "orders: count(fct_orders) = distinct order_id in raw; revenue: to the cent",
                ),
            ),
        ),
        Frame(
            name="exchange_rates",
            description=(
                "each currency and order date with orders that no rate of the seed "
                "exchange_rates converts to the reporting currency"
            ),
            sql="""
                select
                    currency || ' on ' || cast(ordered_at as date) || ' ('
                        || case when count(*) = 1 then 'order ' || min(order_id)
                            else count(*) || ' orders, e.g. ' || min(order_id) end
                        || ')' as order_without_exchange_rate,
                    count(*) as orders,
                    (select count(*) from marts.fct_orders) as orders_checked,
                from marts.fct_orders
                where not has_exchange_rate
                group by currency, cast(ordered_at as date)
                order by 1
            """,
            expectations=(
                _all_null(
                    "order_without_exchange_rate",
                    WARNING,
                    "orders in a currency that no rate of seeds/exchange_rates.csv converts to "
                    "the reporting currency on their date: left out of every revenue KPI "
                    "(AOV, CLV) until a rate is added",
                    counted="orders",
                    rows_of="orders_checked",
                ),
            ),
        ),
    ),
)


def _kpi_ranges() -> tuple[Expectation, ...]:
    """One expectation per distinct (min, max) of seeds/kpis.csv, over the KPIs it bounds."""
    groups: dict[tuple, list[str]] = {}
    for kpi in KPIS:
        groups.setdefault((kpi.min_value, kpi.max_value), []).append(kpi.name)
    expectations = []
    for (low, high), names in groups.items():
        bounds = f"{'-∞' if low is None else low}..{'∞' if high is None else high}"
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column="value", min_value=low, max_value=high,
                row_condition=Column("kpi").is_in(names), severity=BLOCKING,
                notes=_note(BLOCKING, f"{', '.join(names)}: value within {bounds}"),
                meta={"target": f"value where kpi in {', '.join(names)}"},
            )
        )  # fmt: skip
    return tuple(expectations)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_EXPECTED_KPIS = ", ".join(
    f"({_sql_text(kpi.name)}, {_sql_text(kpi.missing_input_message)})" for kpi in KPIS
)

SCORECARD = Suite(
    name="marts_kpi_scorecard",
    asset=("marts", "kpi_scorecard"),
    description="Every KPI of the serving contract is present and within its range.",
    frames=(
        Frame(
            name="values",
            description="kpi and value of every row of kpi_scorecard (a small table)",
            sql="select kpi, value from marts.kpi_scorecard",
            expectations=_kpi_ranges(),
        ),
        Frame(
            name="completeness",
            description=(
                "each KPI of seeds/kpis.csv: whether it has its all_time / overall row, and "
                "what input it lacks when that row has no sample"
            ),
            sql=f"""
                with expected (kpi, missing_input_message) as (values {_EXPECTED_KPIS}),
                overall as (
                    select kpi, sample_size,
                    from marts.kpi_scorecard
                    where grain = 'all_time' and dimension = 'overall'
                )
                select
                    expected.kpi,
                    count(overall.kpi) > 0 as has_overall_row,
                    case
                        when coalesce(max(overall.sample_size), 0) = 0
                            then any_value(expected.missing_input_message)
                    end as missing_input,
                from expected
                left join overall on expected.kpi = overall.kpi
                group by expected.kpi
                order by expected.kpi
            """,
            expectations=(
                gxe.ExpectColumnValuesToBeInSet(
                    column="has_overall_row",
                    value_set=[True],
                    severity=BLOCKING,
                    notes=_note(
                        BLOCKING, "every KPI of the serving contract has an all_time / overall row"
                    ),
                ),
                _all_null(
                    "missing_input",
                    WARNING,
                    "a KPI with no input in this release (no such source, survey type, event "
                    "type or optional column loaded): it is published NULL with sample_size 0",
                    show_every_example=True,
                ),
            ),
        ),
    ),
)


def _mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'marts' and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()
    return {
        name: con.execute(f'select count(*) from marts."{name}"').fetchone()[0]
        for (name,) in tables
    }


def _overall_nps(con: duckdb.DuckDBPyConnection) -> float | None:
    try:
        row = con.execute(
            "select value from marts.kpi_scorecard "
            "where kpi = 'nps' and grain = 'all_time' and dimension = 'overall' limit 1"
        ).fetchone()
    except duckdb.CatalogException:
        return None
    return None if row is None or row[0] is None else float(row[0])


def _with_previous(read: Callable[[duckdb.DuckDBPyConnection], object], release: PreviousRelease):
    """(now, before) of `read` on the warehouse and the last release; None without one."""
    if release.path is None or not release.path.exists():
        return None
    previous = connect_read_only(release.path)
    try:
        before = read(previous)
    finally:
        previous.close()
    return read(release.con), before


def _volume_drift(release: PreviousRelease) -> pd.DataFrame | None:
    both = _with_previous(_mart_row_counts, release)
    if both is None:
        return None
    now, before = both
    rows = [
        (name, count, before.get(name),
         100.0 * (count - before[name]) / before[name] if before.get(name) else None)
        for name, count in now.items()
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["table_name", "rows_now", "rows_previous", "change_pct"])
    return frame.astype({"change_pct": "float64"})


def _nps_drift(release: PreviousRelease) -> pd.DataFrame | None:
    both = _with_previous(_overall_nps, release)
    if both is None:
        return None
    now, before = both
    change = None if before is None or now is None else now - before
    return pd.DataFrame(
        {"nps_now": [now], "nps_previous": [before], "change_points": [change]}, dtype="float64"
    )


def _drift(column: str, limit: str, notes: str) -> Expectation:
    return gxe.ExpectColumnValuesToBeBetween(
        column=column, min_value=_param(f"min_{limit}"), max_value=_param(f"max_{limit}"),
        severity=WARNING, notes=_note(WARNING, notes),
    )  # fmt: skip


RELEASE_DRIFT = Suite(
    name="marts_release_drift",
    asset=("marts", "kpi_scorecard"),
    description=(
        "This release against the last published one (the serving file): rows per mart and "
        "overall NPS move within the configured bounds. Warnings: a real change is possible."
    ),
    frames=(
        Frame(
            name="volume",
            description="rows per mart now and in the last published release",
            build=_volume_drift,
            expectations=(
                _drift(
                    "change_pct",
                    "volume_change_pct",
                    "rows per mart change by at most CXW_QUALITY_MAX_VOLUME_CHANGE_PCT % "
                    "against the last release",
                ),
            ),
        ),
        Frame(
            name="nps",
            description="overall NPS now and in the last published release",
            build=_nps_drift,
            expectations=(
                _drift(
                    "change_points",
                    "nps_change_points",
                    "overall NPS moves by at most CXW_QUALITY_MAX_NPS_CHANGE_POINTS points "
                    "against the last release",
                ),
            ),
        ),
    ),
)

CLV_FIT = Suite(
    name="marts_clv_model_parameters",
    asset=("marts", "clv_model_parameters"),
    description=(
        "The predictive CLV models were fitted; a model the data cannot support is "
        "published NULL, and the warning names it and says why."
    ),
    frames=(
        Frame(
            name="fits",
            description="one row per CLV model, with the reason it was not fitted",
            sql="""
                select
                    model,
                    min(model || ' not fitted: ' || not_fitted_reason) as not_fitted_reason,
                from marts.clv_model_parameters
                group by model
                order by model
            """,
            expectations=(
                _all_null(
                    "not_fitted_reason",
                    WARNING,
                    "a CLV model without enough data is published NULL with the reason "
                    "(dbt vars clv_min_customers, clv_min_repeat_customers)",
                ),
            ),
        ),
    ),
)

SUITES: tuple[Suite, ...] = (
    *(raw_suite(entity) for entity in ENTITIES),
    STAGING_ORDERS,
    IDENTITY,
    _linked_facts_suite("fct_tickets", "tickets"),
    _linked_facts_suite("fct_survey_responses", "survey responses"),
    RECONCILIATION,
    SCORECARD,
    RELEASE_DRIFT,
    CLV_FIT,
)

SUITES_BY_NAME: dict[str, Suite] = {suite.name: suite for suite in SUITES}
