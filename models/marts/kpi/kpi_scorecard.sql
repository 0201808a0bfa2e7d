-- One row per KPI, period and dimension value (serving contract, `kpi_scorecard`).
with survey_kpis as (
    select * from {{ ref('int_kpi__survey') }}
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

final as (
    select
        cast(kpi as varchar) as kpi,
        cast(grain as varchar) as grain,
        cast(period_start as date) as period_start,
        cast(dimension as varchar) as dimension,
        cast(dimension_value as varchar) as dimension_value,
        cast(value as double) as value,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(sample_size as bigint) as sample_size,
        cast(margin_of_error_95 as double) as margin_of_error_95,
    from unioned
)

select * from final
