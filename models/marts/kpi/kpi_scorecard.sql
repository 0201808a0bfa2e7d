-- One row per KPI, period and dimension value (serving contract, `kpi_scorecard`).
-- The KPIs are the rows of the seed `kpis` (their one home, also read by the quality
-- suites). Every KPI has its all_time / overall row, and a row for every slice (grain,
-- period, dimension value) that any KPI of its domain has: a KPI whose input is absent
-- (no CES answer, no add_to_cart event, no agent_replies column, ...) keeps those rows with
-- value, numerator, denominator and margin_of_error_95 NULL and sample_size 0.
with kpis as (
    select * from {{ ref('kpis') }}
),

-- the survey intermediate also carries survey_kpis' breakdown columns: the scorecard's only
survey_kpis as (
    select
        kpi,
        {{ kpi_slice_columns() }}
        value,
        numerator,
        denominator,
        sample_size,
        margin_of_error_95
    from {{ ref('int_kpi__survey') }}
),

order_kpis as (
    select * from {{ ref('int_kpi__orders') }}
),

web_kpis as (
    select * from {{ ref('int_kpi__web') }}
),

service_kpis as (
    select * from {{ ref('int_kpi__service') }}
),

unioned as (
    select * from survey_kpis
    union all
    select * from order_kpis
    union all
    select * from web_kpis
    union all
    select * from service_kpis
),

domain_slices as (
    select distinct
        kpis.domain,
        unioned.grain,
        unioned.period_start,
        unioned.dimension,
        unioned.dimension_value
    from unioned
    inner join kpis on unioned.kpi = kpis.kpi
    union
    select distinct
        domain,
        'all_time' as grain,
        cast(null as date) as period_start,
        'overall' as dimension,
        'all' as dimension_value
    from kpis
),

promised_rows as (
    select
        kpis.kpi,
        domain_slices.grain,
        domain_slices.period_start,
        domain_slices.dimension,
        domain_slices.dimension_value
    from kpis
    inner join domain_slices on kpis.domain = domain_slices.domain
),

final as (
    select
        cast(promised_rows.kpi as string) as kpi,
        cast(promised_rows.grain as string) as grain,
        cast(promised_rows.period_start as date) as period_start,
        cast(promised_rows.dimension as string) as dimension,
        cast(promised_rows.dimension_value as string) as dimension_value,
        cast(unioned.value as double) as value,
        cast(unioned.numerator as double) as numerator,
        cast(unioned.denominator as double) as denominator,
        cast(coalesce(unioned.sample_size, 0) as bigint) as sample_size,
        cast(unioned.margin_of_error_95 as double) as margin_of_error_95
    from promised_rows
    left join unioned
        on
            promised_rows.kpi = unioned.kpi
            and promised_rows.grain = unioned.grain
            and promised_rows.period_start is not distinct from unioned.period_start
            and promised_rows.dimension = unioned.dimension
            and promised_rows.dimension_value = unioned.dimension_value
)

select * from final
