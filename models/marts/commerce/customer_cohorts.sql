-- Monthly acquisition cohorts: customers grouped by the month of their first
-- non-cancelled order, and how many of them order again (a non-cancelled order) in each
-- month since. months_since_first_order = 0 is the acquisition month (retention 100 %).
-- Months are those of the reporting time zone (var reporting_time_zone). A future-dated
-- order (is_future_dated: later than the load time of its batch) has no month that can
-- be true: it is in no cohort and no month since.
with orders as (
    select * from {{ ref('fct_orders') }}
),

non_cancelled_orders as (
    select
        customer_key,
        ordered_at,
        {{ reporting_month('ordered_at') }} as order_month,
        -- in the reporting currency; an order no rate converts adds nothing (NULL)
        case when status != 'returned' then reporting_amount else 0 end as revenue
    from orders
    where
        status != 'cancelled'
        and customer_key is not null
        and is_future_dated is not true
),

first_orders as (
    select
        customer_key,
        min(order_month) as cohort_month
    from non_cancelled_orders
    group by customer_key
),

cohort_sizes as (
    select
        cohort_month,
        count(*) as cohort_customers
    from first_orders
    group by cohort_month
),

activity as (
    select
        first_orders.cohort_month,
        {{ dbt.datediff(
            'first_orders.cohort_month', 'non_cancelled_orders.order_month', 'month'
        ) }} as months_since_first_order,
        count(distinct non_cancelled_orders.customer_key) as active_customers,
        count(*) as orders,
        coalesce(sum(non_cancelled_orders.revenue), 0) as revenue
    from non_cancelled_orders
    inner join first_orders
        on non_cancelled_orders.customer_key = first_orders.customer_key
    group by all
),

final as (
    select
        cast(activity.cohort_month as date) as cohort_month,
        cast(activity.months_since_first_order as integer) as months_since_first_order,
        cast(cohort_sizes.cohort_customers as bigint) as cohort_customers,
        cast(activity.active_customers as bigint) as active_customers,
        cast(
            100.0 * cast(activity.active_customers as double) / cohort_sizes.cohort_customers
            as double
        ) as retention_rate,
        cast(activity.orders as bigint) as orders,
        cast(activity.revenue as double) as revenue
    from activity
    inner join cohort_sizes
        on activity.cohort_month = cohort_sizes.cohort_month
)

select * from final
