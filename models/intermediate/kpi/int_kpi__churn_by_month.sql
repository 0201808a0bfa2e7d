-- churn_rate by month, as a stock measured at the end of each month: among the customers
-- with at least one non-cancelled order placed before the end of the month (and not after
-- as_of: the month that contains as_of is measured at as_of), the share whose last such
-- order is more than var('churn_days') days before that moment. One row per month with
-- orders. Future-dated orders (is_future_dated) are left out: churn is relative to as_of.
-- fct_orders has one row per order (its latest version). Months are those of the
-- reporting time zone (var reporting_time_zone): a month ends at
-- midnight there.
with orders as (
    select * from {{ ref('int_commerce__orders') }}
),

kpi_orders as (
    select
        order_id,
        customer_key,
        ordered_at,
        status,
        is_future_dated
    from orders
),

non_cancelled_orders as (
    select
        customer_key,
        ordered_at
    from kpi_orders
    where
        status != 'cancelled'
        and customer_key is not null
        and is_future_dated is not true
),

months as (
    select distinct
        {{ reporting_month('ordered_at') }} as period_start
    from non_cancelled_orders
),

measured_at as (
    select
        period_start,
        {{ utc_from_reporting_time(
            "cast(" ~ dbt.dateadd('month', 1, 'period_start') ~ " as timestamp)"
        ) }} as month_end_at,
        least(month_end_at, {{ as_of() }}) as measured_at
    from months
    where period_start <= {{ reporting_time(as_of()) }}
),

last_order_per_month as (
    select
        measured_at.period_start,
        measured_at.measured_at,
        non_cancelled_orders.customer_key,
        max(non_cancelled_orders.ordered_at) as last_non_cancelled_at
    from measured_at
    inner join non_cancelled_orders
        on
            measured_at.month_end_at > non_cancelled_orders.ordered_at
            and measured_at.measured_at >= non_cancelled_orders.ordered_at
    group by all
),

final as (
    select
        'month' as grain,
        period_start,
        'overall' as dimension,
        'all' as dimension_value,
        100.0 * cast(count_if(
            last_non_cancelled_at
            < {{ dbt.dateadd('day', -1 * var('churn_days'), 'measured_at') }}
        ) as double) / count(*) as value,
        count_if(
            last_non_cancelled_at
            < {{ dbt.dateadd('day', -1 * var('churn_days'), 'measured_at') }}
        ) as numerator,
        count(*) as denominator,
        count(*) as sample_size
    from last_order_per_month
    group by all
)

select * from final
