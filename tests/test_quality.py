"""Quality gates: real DuckDB files, real GX validations, a real Dagster run. No mocks."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from dagster import (
    AssetCheckSeverity,
    AssetKey,
    DagsterEventType,
    asset,
    materialize,
)

from orchestration.loader.schema import ensure_raw_schema
from orchestration.quality import SUITES, SUITES_BY_NAME, run_suite
from orchestration.quality.checks import WARNINGS_SUFFIX, suite_check
from orchestration.quality.suites import CONTRACT_KPIS

pytestmark = pytest.mark.timeout(300)

LOADED = "timestamp '2025-06-01 00:00:00'"


def _build_clean_warehouse(path: Path, *, events: int = 300) -> None:
    """A small warehouse that follows every contract: raw, staging and marts tables."""
    con = duckdb.connect(str(path))
    ensure_raw_schema(con)
    lineage = f"'f.csv', i + 2, 'b1', {LOADED}"
    con.execute(
        f"""insert into raw.crm_customers
        select 'c' || i, 'p' || i || '@x.com', null, 'A', 'B', 'IT', 'Rome', 'web',
            timestamp '2024-01-01' + to_days(i), timestamp '2024-02-01' + to_days(i), true,
            {lineage}
        from range(40) t(i)"""
    )
    # 60 orders, the first 10 with a second, later version (cancelled)
    con.execute(
        f"""insert into raw.crm_orders
        select 'o' || i, 'c' || (i % 40), timestamp '2025-01-01' + to_hours(i), 'web',
            'paid', 'EUR', 10.5 + i, 1, timestamp '2025-01-02' + to_hours(i), {lineage}
        from range(60) t(i)
        union all
        select 'o' || i, 'c' || (i % 40), timestamp '2025-01-01' + to_hours(i), 'web',
            'cancelled', 'EUR', 10.5 + i, 1, timestamp '2025-02-01', 'g.csv', i + 2, 'b2',
            {LOADED}
        from range(10) t(i)"""
    )
    con.execute(
        f"""insert into raw.crm_tickets
        select 't' || i, 'c' || (i % 40), null, 'email', 'billing', 'low',
            timestamp '2025-01-01' + to_hours(i), timestamp '2025-01-01' + to_hours(i + 1),
            timestamp '2025-01-02' + to_hours(i), 'solved', 1, 0, null, {lineage}
        from range(30) t(i)"""
    )
    con.execute(
        f"""insert into raw.web_events
        select 'e' || i, timestamp '2025-01-01' + to_minutes(i), 'a' || (i % 50), null, null,
            'page_view', '/', null, null, null, null, 'mobile', null, null, {lineage}
        from range({events}) t(i)"""
    )
    con.execute(
        f"""insert into raw.survey_responses
        select 'r' || i, 's1', ['nps', 'csat', 'ces'][i % 3 + 1],
            timestamp '2025-01-01' + to_hours(i), 'c' || (i % 40), null, 'support', 'email',
            [9, 4, 6][i % 3 + 1], null, 'en', null, {lineage}
        from range(30) t(i)"""
    )
    con.execute("create schema staging")
    con.execute(
        "create table staging.stg_crm__customers as "
        "select distinct customer_id from raw.crm_customers"
    )
    con.execute(
        """create table staging.stg_crm__orders as
        select * from raw.crm_orders
        qualify row_number() over (partition by order_id order by updated_at desc) = 1"""
    )
    con.execute("create schema marts")
    con.execute(
        """create table marts.fct_orders as
        select order_id, 'k' || customer_id as customer_key, ordered_at, currency, amount,
            status not in ('cancelled', 'returned') as is_revenue, true as has_exchange_rate
        from staging.stg_crm__orders"""
    )
    con.execute(
        """create table marts.customer_identity_map as
        select 'crm_customer_id' as identifier_type, customer_id as identifier_value,
            'k' || customer_id as customer_key
        from raw.crm_customers"""
    )
    con.execute(
        "create table marts.fct_tickets as "
        "select ticket_id, 'k' || customer_id as customer_key from raw.crm_tickets"
    )
    con.execute(
        "create table marts.fct_survey_responses as "
        "select response_id, 'k' || customer_id as customer_key from raw.survey_responses"
    )
    values = {"nps": 20.0, "csat": 80.0, "ces": 5.5, "purchase_frequency": 1.5}
    rows = ", ".join(
        f"('{kpi}', 'all_time', null, 'overall', 'all', {values.get(kpi, 42.0)}, 100, 1.0)"
        for kpi in CONTRACT_KPIS
    )
    con.execute(
        f"""create table marts.kpi_scorecard as
        select kpi, grain, cast(period_start as date) as period_start, dimension,
            dimension_value, cast(value as double) as value, cast(sample_size as bigint)
            as sample_size, cast(moe as double) as margin_of_error_95
        from (values {rows},
            ('nps', 'month', '2025-01-01', 'overall', 'all', -10.0, 20, 5.0))
            as t(kpi, grain, period_start, dimension, dimension_value, value, sample_size, moe)"""
    )
    con.execute(
        "create table marts.clv_model_parameters as "
        "select * from (values ('bg_nbd', 'r', 0.24, null::varchar), "
        "('gamma_gamma', 'p', 6.25, null)) as t(model, parameter, value, not_fitted_reason)"
    )
    con.close()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    """One GX project for the module (a GX context takes a few seconds to set up)."""
    return tmp_path_factory.mktemp("quality_data")


@pytest.fixture(scope="module")
def clean_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("clean") / "wh.duckdb"
    _build_clean_warehouse(path)
    return path


@pytest.fixture
def db(clean_db: Path, tmp_path: Path) -> Path:
    """A fresh copy of the clean warehouse that a test may break."""
    path = tmp_path / "wh.duckdb"
    shutil.copy(clean_db, path)
    return path


def _execute(path: Path, *statements: str) -> None:
    con = duckdb.connect(str(path))
    for statement in statements:
        con.execute(statement)
    con.close()


def test_clean_sample_passes_every_suite(clean_db: Path, data_dir: Path):
    for suite in SUITES:
        result = run_suite(clean_db, suite.name, previous_release=clean_db, data_dir=data_dir)
        assert result.status == "passed", result.summary()
        assert result.outcomes and not any(o.error for o in result.outcomes)
    assert (data_dir / "docs" / "index.html").exists()


def test_blocking_failure_fails_and_lands_in_data_docs(db: Path, data_dir: Path):
    # (the landing contract's row rules, e.g. a negative amount, are the loader's: it
    # quarantines the row, tests/test_landing_folder.py; here a blocking rule of a mart)
    _execute(db, "update marts.kpi_scorecard set value = -107.25 where kpi = 'nps'")
    result = run_suite(db, "marts_kpi_scorecard", data_dir=data_dir)
    assert not result.passed and result.status == "failed"
    [failure] = result.blocking_failures
    # both nps rows (all_time and month) of the 31 rows with a KPI bounded -100..100
    assert failure.target.startswith("value where kpi in nps") and failure.unexpected_count == 2
    assert -107.25 in failure.examples
    values_page = next(p for p in result.docs_pages if "/values/" in str(p))
    html = values_page.read_text(encoding="utf-8")
    assert "-107.25" in html
    index = (data_dir / "docs" / "index.html").read_text(encoding="utf-8")
    assert "marts_kpi_scorecard" in index


def test_warning_only_problem_passes_and_is_reported(db: Path, data_dir: Path):
    # an unknown word in an optional column is kept (as unknown) with a warning; a synonym
    # (Shopify's pos for store) is no warning
    _execute(db, "update raw.crm_orders set channel = 'fax' where order_id = 'o5'")
    _execute(db, "update raw.crm_orders set channel = ' POS' where order_id = 'o6'")
    result = run_suite(db, "raw_crm_orders", data_dir=data_dir)
    assert result.passed and result.status == "warning"
    [warning] = result.warnings
    assert warning.target == "channel" and set(warning.examples) == {"fax"}  # both versions of o5
    assert "warning" in result.summary()


def test_a_large_table_reaches_gx_aggregated_with_whole_table_counts(
    tmp_path: Path, data_dir: Path
):
    """Memory stays bounded: DuckDB aggregates a big raw table before GX sees it."""
    path = tmp_path / "big.duckdb"
    _build_clean_warehouse(path, events=2_500)
    # 7 events of an unknown device type; 4 events from the future
    _execute(
        path,
        "update raw.web_events set device_type = 'teleport' "
        "where event_id in ('e1', 'e2', 'e1200', 'e1201', 'e1202', 'e2400', 'e2499')",
        "update raw.web_events set event_at = timestamp '2030-01-01' "
        "where event_id in ('e0', 'e999', 'e1000', 'e2001')",
    )
    result = run_suite(path, "raw_web_events", data_dir=data_dir)
    device_type = next(o for o in result.outcomes if o.target == "device_type")
    future = next(o for o in result.outcomes if o.target == "_load_horizon, _latest_timestamp")
    assert not device_type.success and set(device_type.examples) == {"teleport"}
    assert not future.success  # counted over all 2,500 rows
    assert (future.unexpected_count, future.element_count) == (4, 2_500)
    # GX validated the distinct words (mobile, teleport) and one row of counts
    assert result.rows_validated == 2 + 1
    assert result.passed and result.status == "warning"  # both are warnings


def test_the_linked_share_is_taken_over_the_whole_table(db: Path, data_dir: Path):
    # 3 of 30 tickets unlinked = 90 % linked: still meets the 0.9 minimum; a 4th breaks it
    _execute(
        db, "update marts.fct_tickets set customer_key = null where ticket_id in ('t1','t2','t3')"
    )
    assert run_suite(db, "marts_fct_tickets", data_dir=data_dir).status == "passed"
    _execute(db, "update marts.fct_tickets set customer_key = null where ticket_id = 't4'")
    result = run_suite(db, "marts_fct_tickets", data_dir=data_dir)
    assert result.status == "warning"
    assert result.warnings[0].examples == [pytest.approx(26 / 30)]  # 26 of 30 linked


def test_kpi_out_of_range_and_missing_kpi_block(db: Path, data_dir: Path):
    _execute(
        db,
        "update marts.kpi_scorecard set value = 130 where kpi = 'nps' and grain = 'all_time'",
        "delete from marts.kpi_scorecard where kpi = 'churn_rate'",
    )
    result = run_suite(db, "marts_kpi_scorecard", data_dir=data_dir)
    failed = {(o.frame, o.target) for o in result.blocking_failures}
    assert ("values", "value where kpi in nps") in failed
    assert ("completeness", "has_overall_row") in failed


def test_kpi_without_input_is_a_warning_that_names_it_and_what_it_lacks(db: Path, data_dir: Path):
    # as kpi_scorecard publishes a KPI whose input is absent: NULL, sample_size 0
    _execute(
        db,
        "update marts.kpi_scorecard set value = null, sample_size = 0 "
        "where kpi in ('ces', 'first_contact_resolution_rate')",
    )
    result = run_suite(db, "marts_kpi_scorecard", data_dir=data_dir)
    assert result.passed, result.summary()
    [warning] = result.warnings
    assert (warning.frame, warning.target) == ("completeness", "missing_input")
    # every KPI without input is named, in full, with the input the seed kpis.csv names
    assert f"2 of {len(CONTRACT_KPIS)} rows" in warning.describe()
    assert "ces: no CES answers loaded" in warning.describe()
    assert (
        "first_contact_resolution_rate: no solved or closed tickets with agent_replies loaded"
        in warning.describe()
    )
    assert "nps:" not in warning.describe()


def test_the_kpi_list_has_one_home_that_the_scorecard_model_reads_too():
    from orchestration.quality.suites import KPI_SEED, KPIS

    assert [kpi.name for kpi in KPIS] == list(CONTRACT_KPIS)
    model = (KPI_SEED.parents[1] / "models/marts/kpi/kpi_scorecard.sql").read_text()
    assert "ref('kpis')" in model and KPI_SEED.stem == "kpis"


def test_an_entity_that_never_had_rows_raises_no_warning(db: Path, clean_db: Path, data_dir: Path):
    # no ticket export at all, in this release and in the last one: nothing to warn about
    _execute(db, "delete from raw.crm_tickets", "delete from marts.fct_tickets")
    result = run_suite(db, "raw_crm_tickets", data_dir=data_dir)
    assert result.passed and not result.warnings, result.summary()
    drift = run_suite(db, "marts_release_drift", previous_release=db, data_dir=data_dir)
    assert not drift.warnings, drift.summary()
    # tickets the last release had and this one lost: a volume warning on the drop
    drop = run_suite(db, "marts_release_drift", previous_release=clean_db, data_dir=data_dir)
    assert [(o.frame, o.examples) for o in drop.warnings] == [("volume", [-100.0])]


def test_reconciliation_against_raw(db: Path, data_dir: Path):
    assert run_suite(db, "marts_fct_orders", data_dir=data_dir).passed
    # a mart that lost an order and miscounted revenue
    _execute(db, "delete from marts.fct_orders where order_id = 'o59'")
    result = run_suite(db, "marts_fct_orders", data_dir=data_dir)
    [failure] = result.blocking_failures
    assert failure.unexpected_count == 2  # orders and revenue both differ


def test_an_order_without_an_exchange_rate_is_a_warning_naming_it(db: Path, data_dir: Path):
    # issue 17 §7c: no rate converts o7 to the reporting currency -> warned about (it is
    # left out of every revenue KPI), with its currency, date and id; publish goes on
    _execute(
        db,
        "update marts.fct_orders set currency = 'SEK', has_exchange_rate = false "
        "where order_id = 'o7'",
    )
    result = run_suite(db, "marts_fct_orders", data_dir=data_dir)
    assert result.passed and result.status == "warning"
    [warning] = result.warnings
    assert warning.target == "order_without_exchange_rate"
    assert warning.unexpected_count == 1
    [example] = warning.examples
    assert example.startswith("SEK on ") and example.endswith("(order o7)")


def test_identity_component_over_the_limit_blocks(db: Path, data_dir: Path):
    _execute(db, "update marts.customer_identity_map set customer_key = 'k_big'")
    result = run_suite(db, "marts_customer_identity_map", data_dir=data_dir)
    assert [o.target for o in result.blocking_failures] == ["crm_records"]


def test_drift_against_the_last_release_warns(db: Path, clean_db: Path, data_dir: Path):
    _execute(
        db,
        "insert into marts.fct_tickets select * from marts.fct_tickets",  # +100 %
        "update marts.kpi_scorecard set value = 50 where kpi = 'nps' and grain = 'all_time'",
    )
    result = run_suite(db, "marts_release_drift", previous_release=clean_db, data_dir=data_dir)
    assert result.passed and result.status == "warning"
    assert {o.frame for o in result.warnings} == {"volume", "nps"}
    skipped = run_suite(db, "marts_release_drift", previous_release=None, data_dir=data_dir)
    assert skipped.status == "passed" and all(o.skipped for o in skipped.outcomes)


def test_missing_table_is_a_blocking_failure(tmp_path: Path, data_dir: Path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    result = run_suite(path, "marts_kpi_scorecard", data_dir=data_dir)
    assert not result.passed
    assert all("could not read" in (o.error or "") for o in result.outcomes)


def test_unknown_suite_is_refused(clean_db: Path, data_dir: Path):
    with pytest.raises(ValueError, match="unknown quality suite"):
        run_suite(clean_db, "raw_nothing", data_dir=data_dir)


# ---------------------------------------------------------------------------------------
# Dagster: the check shows its result, and blocking=True keeps the downstream asset from
# running when a blocking expectation fails.


# an NPS out of its -100..100 range (blocking); no CES answers (a warning)
_BLOCKING_PROBLEM = ("update marts.kpi_scorecard set value = 130 where kpi = 'nps'",)
_WARNING_PROBLEM = (
    "update marts.kpi_scorecard set value = null, sample_size = 0 where kpi = 'ces'",
)


def _dagster_run(database: Path, data_dir: Path, monkeypatch):
    monkeypatch.setenv("CXW_DATA_DIR", str(data_dir))

    @asset(key=AssetKey(["marts", "kpi_scorecard"]))
    def kpi_scorecard() -> None:
        """Stands in for the dbt model: the table is already in the file."""

    @asset(key=AssetKey(["serving", "release"]), deps=[AssetKey(["marts", "kpi_scorecard"])])
    def release(context) -> None:
        context.log.info("published")

    check = suite_check(
        SUITES_BY_NAME["marts_kpi_scorecard"],
        database=lambda: database,
        previous_release=lambda: None,
    )
    result = materialize([kpi_scorecard, release, check], raise_on_error=False)
    evaluations = {
        e.event_specific_data.check_name: e.event_specific_data
        for e in result.all_events
        if e.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
    }
    published = any(
        e.event_type == DagsterEventType.ASSET_MATERIALIZATION
        and e.asset_key == AssetKey(["serving", "release"])
        for e in result.all_events
    )
    return evaluations, published


def test_dagster_blocking_check_stops_downstream(db: Path, data_dir: Path, monkeypatch):
    evaluations, published = _dagster_run(db, data_dir, monkeypatch)
    assert evaluations["marts_kpi_scorecard"].passed
    assert evaluations["marts_kpi_scorecard" + WARNINGS_SUFFIX].passed
    assert published

    _execute(db, *_BLOCKING_PROBLEM, *_WARNING_PROBLEM)
    evaluations, published = _dagster_run(db, data_dir, monkeypatch)
    blocking = evaluations["marts_kpi_scorecard"]
    warning = evaluations["marts_kpi_scorecard" + WARNINGS_SUFFIX]
    assert not blocking.passed and blocking.severity == AssetCheckSeverity.ERROR
    assert "value where kpi in nps" in blocking.description
    assert "data_docs" in blocking.metadata and "expectations" in blocking.metadata
    assert not warning.passed and warning.severity == AssetCheckSeverity.WARN
    assert not published


def test_dagster_warning_only_publishes(db: Path, data_dir: Path, monkeypatch):
    _execute(db, *_WARNING_PROBLEM)
    evaluations, published = _dagster_run(db, data_dir, monkeypatch)
    assert evaluations["marts_kpi_scorecard"].passed
    warning = evaluations["marts_kpi_scorecard" + WARNINGS_SUFFIX]
    assert not warning.passed and "ces: no CES answers loaded" in warning.description
    assert published


def test_clv_model_not_fitted_is_a_warning_that_names_it(db: Path, data_dir: Path):
    _execute(
        db,
        "update marts.clv_model_parameters set value = null, "
        "not_fitted_reason = 'no customer has a repeat purchase' where model = 'bg_nbd'",
    )
    result = run_suite(db, "marts_clv_model_parameters", data_dir=data_dir)
    assert result.status == "warning" and not result.blocking_failures
    assert "bg_nbd not fitted: no customer has a repeat purchase" in result.warnings[0].describe()


def test_results_of_frames_no_suite_has_leave_the_store(clean_db: Path, data_dir: Path):
    """A result of an older version's frame (e.g. the raw schema frames, gone since the
    landing rules are the loader's) is dropped at the next run, from the store and docs."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from orchestration.quality.run import gx_context

    run_suite(clean_db, "marts_fct_tickets", data_dir=data_dir, run_name="before")
    store = gx_context(data_dir).validation_results_store
    [key] = [
        k
        for k in store.list_keys()
        if k.expectation_suite_identifier.name == "marts_fct_tickets.customer_link"
        and k.run_id.run_name == "before"
    ]
    gone = ExpectationSuiteIdentifier(name="raw_crm_orders.schema")
    store.set(ValidationResultIdentifier(gone, key.run_id, key.batch_identifier), store.get(key))
    assert gone.name in {k.expectation_suite_identifier.name for k in store.list_keys()}
    run_suite(clean_db, "marts_fct_tickets", data_dir=data_dir)
    names = {k.expectation_suite_identifier.name for k in store.list_keys()}
    assert gone.name not in names and "marts_fct_tickets.customer_link" in names
    assert "raw_crm_orders.schema" not in (data_dir / "docs" / "index.html").read_text()
