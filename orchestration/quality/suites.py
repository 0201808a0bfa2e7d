"""The quality suites, as code: one per guarded asset, raw → staging → marts.

dbt tests keep the structure (unique / not-null keys, relationships, contracts); these
suites hold the data-quality rules: the landing contract on the raw tables, coverage and
identity limits after staging, KPI ranges, completeness and reconciliation in the marts,
and drift against the last published release.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..constants import KPI_SEED as KPI_SEED  # re-exported: tests read the seed path here
from ..constants import Kpi
from ..constants import kpis as read_kpis
from ..loader.contract import (
    ENTITIES,
    ORDERS,
    SURVEY_RESPONSES,
    SURVEY_SCALES,
    TICKETS,
    WEB_EVENTS,
    Entity,
)
from ..vocabulary import value_sql, vocabulary
from .spec import BLOCKING, WARNING, Expect, Frame, FrameContext, Suite
from .warehouse import connect_read_only

# The KPIs of the serving contract: their one home is the dbt seed seeds/kpis.csv, which
# kpi_scorecard reads too (its always-present rows); read through orchestration.constants.
KPIS: tuple[Kpi, ...] = read_kpis()
KPI_RANGES: dict[str, tuple[float | None, float | None]] = {
    kpi.name: (kpi.min_value, kpi.max_value) for kpi in KPIS
}
CONTRACT_KPIS = tuple(KPI_RANGES)


def _not_null(column: str, severity=BLOCKING, notes: str = "") -> Expect:
    return Expect(
        "expect_column_values_to_not_be_null",
        {"column": column},
        severity,
        notes or f"`{column}` is required by the landing contract",
    )


def _in_set(column: str, values, severity=WARNING, notes: str = "") -> Expect:
    return Expect(
        "expect_column_values_to_be_in_set",
        {"column": column, "value_set": list(values)},
        severity,
        notes or f"`{column}` takes the values the landing contract lists",
    )


def _listed(entity: Entity, column: str) -> Expect:
    """The column's words read through seeds/vocabulary are listed values. The loader
    quarantines an unknown word in a required column (here: blocking, a breach got
    through); in an optional column the row is kept and the word read as unknown: a
    warning that names it."""
    c = entity.columns[entity.column_names.index(column)]
    listed = vocabulary(c.vocabulary).listed
    if c.required:
        return _in_set(column, listed, BLOCKING, f"`{column}` is a listed value or a synonym")
    return _in_set(
        column,
        listed,
        WARNING,
        f"`{column}`: a word that is neither a listed value nor a synonym in "
        "seeds/vocabulary.csv is kept as unknown; map it there if it means a listed value",
    )


def _vocabulary_select(entity: Entity, column: str) -> str:
    """The listed value a raw word is read as; an unknown word as it landed (trimmed)."""
    c = entity.columns[entity.column_names.index(column)]
    if not c.vocabulary:
        return column
    word = f"nullif(trim({column}), '')"
    return _literal_braces(
        f"coalesce({value_sql(vocabulary(c.vocabulary), column)}, {word}) as {column}"
    )


def _literal_braces(sql: str) -> str:
    """Frame SQL is a format string ({future_tolerance_minutes}): braces of regular
    expressions (\\p{Z}) are doubled."""
    return sql.replace("{", "{{").replace("}", "}}")


def _at_least(column: str, minimum, severity=BLOCKING, notes: str = "") -> Expect:
    return Expect(
        "expect_column_values_to_be_between",
        {"column": column, "min_value": minimum},
        severity,
        notes or f"`{column}` >= {minimum} (landing contract)",
    )


def _not_before(later: str, earlier: str, severity=BLOCKING, notes: str = "") -> Expect:
    return Expect(
        "expect_column_pair_values_a_to_be_greater_than_b",
        {
            "column_A": later,
            "column_B": earlier,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
        severity,
        notes or f"`{later}` must not precede `{earlier}`",
    )


def _not_in_future(entity: Entity) -> Expect:
    """One warning per entity counting its future-dated rows: the latest of a row's
    timestamps after the load time of its batch + the dbt var future_tolerance_minutes (the
    rows the models flag is_future_dated and leave out of as_of)."""
    return _not_before(
        "_load_horizon",
        "_latest_timestamp",
        WARNING,
        f"{entity.name}: rows with a timestamp after the load time of their batch "
        "(+ future_tolerance_minutes) cannot be true (a clock or time zone problem at the "
        "source): they are kept, flagged is_future_dated, and left out of as_of and of churn "
        "and recency",
    )


# ---------------------------------------------------------------------------------------
# raw: the landing contract, which the loader enforces (quarantine): a failure here means a
# contract breach got through.


def _schema_frame(entity: Entity) -> Frame:
    expected = ", ".join(f"('{c.name}', '{c.type.upper()}')" for c in entity.columns)
    return Frame(
        name="schema",
        description=f"column types of raw.{entity.name} against the landing contract",
        sql=f"""
            with expected (column_name, expected_type) as (values {expected})
            select
                expected.column_name,
                expected.expected_type,
                upper(columns.data_type) as data_type,
            from expected
            left join information_schema.columns as columns
                on columns.table_schema = 'raw'
                and columns.table_name = '{entity.name}'
                and columns.column_name = expected.column_name
            order by expected.column_name
        """,
        expectations=(
            Expect(
                "expect_column_pair_values_to_be_equal",
                {"column_A": "data_type", "column_B": "expected_type"},
                BLOCKING,
                "every contract column exists with the contract's type",
            ),
        ),
    )


RAW_RULES: dict[str, tuple[tuple[str, ...], tuple[Expect, ...]]] = {
    # entity: (extra select expressions, expectations beyond required / minimum / schema)
    "crm_customers": (
        ("signup_channel", "country"),
        (
            _not_before(
                "updated_at", "created_at", WARNING, "a customer version updated before creation"
            ),
            Expect(
                "expect_column_values_to_match_regex",
                {"column": "country", "regex": r"^[A-Za-z]{2}$"},
                WARNING,
                "country is an ISO 3166-1 alpha-2 code",
            ),
        ),
    ),
    "crm_orders": (
        ("channel", "currency"),
        (
            _listed(ORDERS, "status"),
            _listed(ORDERS, "channel"),
            Expect(
                "expect_column_values_to_match_regex",
                {"column": "currency", "regex": r"^[A-Z]{3}$"},
                WARNING,
                "currency is an ISO 4217 code",
            ),
            _not_before(
                "updated_at", "ordered_at", WARNING, "an order version updated before it was placed"
            ),
        ),
    ),
    "crm_tickets": (
        ("channel", "priority"),
        (
            _not_before("first_response_at", "opened_at", BLOCKING, "first reply before opening"),
            _not_before("resolved_at", "opened_at", BLOCKING, "resolution before opening"),
            _listed(TICKETS, "status"),
            _listed(TICKETS, "channel"),
            _listed(TICKETS, "priority"),
        ),
    ),
    "web_events": (
        ("device_type",),
        (
            _listed(WEB_EVENTS, "event_type"),
            _listed(WEB_EVENTS, "device_type"),
        ),
    ),
    "survey_responses": (
        ("channel", "score"),
        (
            _in_set(
                "survey_type",
                SURVEY_SCALES,
                BLOCKING,
                "survey_type is nps, csat or ces: the scale of the score depends on it",
            ),
            _not_before("score", "score_min", BLOCKING, "score within its survey_type's scale"),
            _not_before("score_max", "score", BLOCKING, "score within its survey_type's scale"),
            _listed(SURVEY_RESPONSES, "channel"),
        ),
    ),
}


def _rows_frame(entity: Entity) -> Frame:
    extra_columns, rules = RAW_RULES[entity.name]
    timestamps = [c.name for c in entity.columns if c.type == "timestamp"]
    numeric = [c for c in entity.columns if c.minimum is not None]
    used: list[str] = []
    for name in (
        *entity.required_columns,
        *timestamps,
        *extra_columns,
        *(c.name for c in numeric),
    ):
        if name not in used:
            used.append(name)
    # decimals travel as double: exact enough for a sign check, far cheaper than Decimal
    selects = [
        f"cast({name} as double) as {name}"
        if entity.columns[entity.column_names.index(name)].type.startswith("decimal")
        else _vocabulary_select(entity, name)
        for name in used
    ]
    selects.append("_loaded_at + to_minutes({future_tolerance_minutes}) as _load_horizon")
    selects.append(f"greatest({', '.join(timestamps)}) as _latest_timestamp")
    selects += ["_batch_id", "_loaded_at"]  # for once_per_batch (not streamed into GX)
    if entity.name == "survey_responses":
        kind = _literal_braces(value_sql(vocabulary("survey_type"), "survey_type"))
        cases = " ".join(f"when '{t}' then {lo}" for t, (lo, _) in SURVEY_SCALES.items())
        selects.append(f"case {kind} {cases} end as score_min")
        cases = " ".join(f"when '{t}' then {hi}" for t, (_, hi) in SURVEY_SCALES.items())
        selects.append(f"case {kind} {cases} end as score_max")
    expectations = (
        *(_not_null(name) for name in entity.required_columns),
        *(
            _at_least(c.name, c.minimum, notes=f"`{c.name}` >= {c.minimum:g} (landing contract)")
            for c in numeric
        ),
        *rules,
        _not_in_future(entity),
    )
    return Frame(
        name="rows",
        description=(
            f"every row of raw.{entity.name}, streamed in batches (in a pipeline run: the "
            "rows of the load batches not yet validated against these rules)"
        ),
        sql=f"select {', '.join(selects)} from raw.{entity.name}",
        chunked=True,
        once_per_batch=True,
        expectations=expectations,
    )


def raw_suite(entity: Entity) -> Suite:
    return Suite(
        name=f"raw_{entity.name}",
        asset=("raw", entity.name),
        description=(
            f"Landing contract on raw.{entity.name}: required values, types, ranges, allowed "
            "values, timestamp order."
        ),
        # no volume rule here: an entity may never have rows (no entity is required); a
        # drop against the last release is RELEASE_DRIFT's volume warning on the marts
        frames=(_schema_frame(entity), _rows_frame(entity)),
    )


# ---------------------------------------------------------------------------------------
# staging / identity: after dedup and stitching.

STAGING_ORDERS = Suite(
    name="staging_crm_orders",
    asset=("staging", "stg_crm__orders"),
    reads=(("staging", "stg_crm__customers"),),
    description="Latest order versions: the customer each order names is in the CRM extract.",
    frames=(
        Frame(
            name="customer_resolution",
            chunked=True,
            description="each latest order with the CRM customer it names, if any",
            sql="""
                select
                    orders.order_id,
                    customers.customer_id as crm_customer_id,
                from staging.stg_crm__orders as orders
                left join staging.stg_crm__customers as customers
                    on orders.customer_id = customers.customer_id
            """,
            expectations=(
                Expect(
                    "expect_column_values_to_not_be_null",
                    {"column": "crm_customer_id", "mostly": "{min_linked_share}"},
                    WARNING,
                    "orders whose customer_id is not (yet) in the CRM extract: they still get a "
                    "customer_key, but without a profile",
                ),
            ),
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
            chunked=True,
            description="per customer_key: how many CRM records, emails and phones it unites",
            sql="""
                select
                    customer_key,
                    count(*) filter (where identifier_type = 'crm_customer_id') as crm_records,
                    count(*) filter (where identifier_type = 'email_hash') as emails,
                    count(*) filter (where identifier_type = 'phone_hash') as phones,
                from marts.customer_identity_map
                group by customer_key
            """,
            expectations=(
                Expect(
                    "expect_column_values_to_be_between",
                    {"column": "crm_records", "max_value": "{max_crm_records_per_person}"},
                    BLOCKING,
                    "a customer_key uniting more CRM records than max_crm_records_per_person is "
                    "an over-merge: every number of those people would be wrong",
                ),
                Expect(
                    "expect_column_values_to_be_between",
                    {"column": "emails", "max_value": "{max_emails_per_person}"},
                    WARNING,
                    "more emails than max_emails_per_person on one person: possible over-merge",
                ),
                Expect(
                    "expect_column_values_to_be_between",
                    {"column": "phones", "max_value": "{max_phones_per_person}"},
                    WARNING,
                    "more phones than max_phones_per_person on one person: possible over-merge",
                ),
            ),
        ),
    ),
)


def _linked_facts_suite(model: str, key: str, what: str) -> Suite:
    return Suite(
        name=f"marts_{model}",
        asset=("marts", model),
        description=f"Share of {what} linked to a unified customer.",
        frames=(
            Frame(
                name="customer_link",
                chunked=True,
                description=f"{what} and their customer_key",
                sql=f"select {key}, customer_key from marts.{model}",
                expectations=(
                    Expect(
                        "expect_column_values_to_not_be_null",
                        {"column": "customer_key", "mostly": "{min_linked_share}"},
                        WARNING,
                        f"{what} without a customer_key are left out of every customer KPI",
                    ),
                ),
            ),
        ),
    )


# ---------------------------------------------------------------------------------------
# marts: KPI ranges, completeness, reconciliation, drift against the last release.

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
            sql="""
                with latest_orders as (
                    select order_id, """
            + _literal_braces(value_sql(vocabulary("order_status"), "status"))
            + """ as status, amount,
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
                Expect(
                    "expect_column_values_to_be_between",
                    {"column": "abs_difference", "min_value": 0, "max_value": 0.005},
                    BLOCKING,
                    "orders: count(fct_orders) = distinct order_id in raw; revenue: to the cent",
                ),
            ),
        ),
        Frame(
            name="exchange_rates",
            chunked=True,
            description=(
                "each order and, when no rate of the seed exchange_rates converts it to the "
                "reporting currency, its currency, date and id"
            ),
            sql="""
                select
                    order_id,
                    case
                        when not has_exchange_rate
                            then currency || ' on ' || cast(ordered_at as date)
                                || ' (order ' || order_id || ')'
                    end as order_without_exchange_rate,
                from marts.fct_orders
            """,
            expectations=(
                Expect(
                    "expect_column_values_to_be_null",
                    {"column": "order_without_exchange_rate"},
                    WARNING,
                    "orders in a currency that no rate of seeds/exchange_rates.csv converts to "
                    "the reporting currency on their date: left out of every revenue KPI "
                    "(AOV, CLV) until a rate is added",
                ),
            ),
        ),
    ),
)


def _kpi_range(kpi_names: list[str], low, high) -> Expect:
    kwargs: dict = {"column": "value", "row_condition": {"column": "kpi", "in": kpi_names}}
    if low is not None:
        kwargs["min_value"] = low
    if high is not None:
        kwargs["max_value"] = high
    bounds = f"{low if low is not None else '-∞'}..{high if high is not None else '∞'}"
    return Expect(
        "expect_column_values_to_be_between",
        kwargs,
        BLOCKING,
        f"{', '.join(kpi_names)}: value within {bounds}",
    )


def _kpi_range_expectations() -> tuple[Expect, ...]:
    groups: dict[tuple, list[str]] = {}
    for kpi, bounds in KPI_RANGES.items():
        groups.setdefault(bounds, []).append(kpi)
    return tuple(_kpi_range(kpis, low, high) for (low, high), kpis in groups.items())


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
            description="every row of kpi_scorecard (a small table)",
            sql="""
                select kpi, grain, period_start, dimension, dimension_value, value,
                    sample_size, margin_of_error_95
                from marts.kpi_scorecard
            """,
            expectations=(
                *_kpi_range_expectations(),
                _in_set("kpi", CONTRACT_KPIS, WARNING, "a KPI the serving contract lacks"),
                _in_set("grain", ("all_time", "month"), BLOCKING, "grain is all_time or month"),
                _at_least("sample_size", 0, BLOCKING, "sample_size >= 0"),
                _at_least("margin_of_error_95", 0, BLOCKING, "margin_of_error_95 >= 0"),
            ),
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
                _in_set(
                    "has_overall_row",
                    (True,),
                    BLOCKING,
                    "every KPI of the serving contract has an all_time / overall row",
                ),
                Expect(
                    "expect_column_values_to_be_null",
                    {"column": "missing_input"},
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


def _open_previous(context: FrameContext) -> duckdb.DuckDBPyConnection | None:
    path = context.previous_release
    if path is None or not path.exists():
        return None
    return connect_read_only(path)


def _volume_drift(context: FrameContext) -> pd.DataFrame | None:
    previous = _open_previous(context)
    if previous is None:
        return None
    try:
        before = _mart_row_counts(previous)
    finally:
        previous.close()
    now = _mart_row_counts(context.con)
    rows = [
        {
            "table_name": name,
            "rows_now": count,
            "rows_previous": before.get(name),
            "change_pct": (
                100.0 * (count - before[name]) / before[name] if before.get(name) else None
            ),
        }
        for name, count in now.items()
    ]
    frame = pd.DataFrame(rows, columns=["table_name", "rows_now", "rows_previous", "change_pct"])
    return frame.astype({"change_pct": "float64"})


def _nps_drift(context: FrameContext) -> pd.DataFrame | None:
    previous = _open_previous(context)
    if previous is None:
        return None
    try:
        before = _overall_nps(previous)
    finally:
        previous.close()
    now = _overall_nps(context.con)
    change = None if before is None or now is None else now - before
    return pd.DataFrame(
        {"nps_now": [now], "nps_previous": [before], "change_points": [change]},
        dtype="float64",
    )


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
                Expect(
                    "expect_column_values_to_be_between",
                    {
                        "column": "change_pct",
                        "min_value": "-{max_volume_change_pct}",
                        "max_value": "{max_volume_change_pct}",
                    },
                    WARNING,
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
                Expect(
                    "expect_column_values_to_be_between",
                    {
                        "column": "change_points",
                        "min_value": "-{max_nps_change_points}",
                        "max_value": "{max_nps_change_points}",
                    },
                    WARNING,
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
                Expect(
                    "expect_column_values_to_be_null",
                    {"column": "not_fitted_reason"},
                    WARNING,
                    "a CLV model without enough data is published NULL with the reason "
                    "(dbt vars clv_min_customers, clv_min_repeat_customers)",
                ),
            ),
        ),
    ),
)

RAW_SUITES: tuple[Suite, ...] = tuple(raw_suite(entity) for entity in ENTITIES)

SUITES: tuple[Suite, ...] = (
    *RAW_SUITES,
    STAGING_ORDERS,
    IDENTITY,
    _linked_facts_suite("fct_tickets", "ticket_id", "tickets"),
    _linked_facts_suite("fct_survey_responses", "response_id", "survey responses"),
    RECONCILIATION,
    SCORECARD,
    RELEASE_DRIFT,
    CLV_FIT,
)

SUITES_BY_NAME: dict[str, Suite] = {suite.name: suite for suite in SUITES}
