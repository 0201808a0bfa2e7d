-- Order KPIs in the long shape of kpi_scorecard: repeat_customer_rate, purchase_frequency,
-- average_order_value, customer_lifetime_value and churn_rate, all_time overall, by
-- channel, by currency and by month. A slice restricts the orders (the orders of that
-- channel / currency / month) and the customers are counted over those orders; churn_rate
-- by month is instead the churn rate at the end of the month (int_kpi__churn_by_month).
-- Orders are the latest version of each order_id; customers are unified customers.
-- churn_rate is relative to as_of: it leaves out future-dated orders (is_future_dated: a
-- timestamp after the load time of its batch cannot be true), so a customer's last order
-- is the last one that can be true, and a customer with only such orders is not counted.
-- Money (AOV, CLV) is in the reporting currency (fct_orders.reporting_amount) over the
-- orders a rate converts: an order without one counts in no revenue KPI, neither its
-- amount nor its customer (it is warned about in the quality suite). The `currency`
-- breakdown is in that currency: every order of it counts, at its own amount.
with orders as (
    select * from {{ ref('fct_orders') }}
),

churn_by_month as (
    select * from {{ ref('int_kpi__churn_by_month') }}
),

latest_orders as (
    select
        order_id,
        customer_key,
        ordered_at,
        channel,
        currency,
        amount,
        reporting_amount,
        has_exchange_rate is true as has_exchange_rate,
        status = 'cancelled' as is_cancelled,
        status not in ('cancelled', 'returned') as is_revenue,
        is_future_dated is true as is_future_dated
    from orders
    qualify row_number() over (
        partition by order_id
        order by updated_at desc nulls last
    ) = 1
),

sliced as (
    {{ kpi_slices('latest_orders', ['channel', 'currency'], 'ordered_at') }}
),

-- the money of each slice: the order's own currency in a currency breakdown, else the
-- reporting currency, over the orders that have a rate
valued as (
    select
        *,
        case when dimension = 'currency' then amount else reporting_amount end as kpi_amount,
        dimension = 'currency' or has_exchange_rate as is_valued
    from sliced
),

customers_per_slice as (
    select
        grain,
        period_start,
        dimension,
        dimension_value,
        customer_key,
        count_if(not is_cancelled) as non_cancelled_orders,
        count_if(not is_cancelled and is_valued) as valued_non_cancelled_orders,
        coalesce(sum(kpi_amount) filter (where is_revenue and is_valued), 0) as revenue,
        max(ordered_at) filter (
            where not is_cancelled and not is_future_dated
        ) as last_non_cancelled_at
    from valued
    where customer_key is not null
    group by all
),

customer_kpis as (
    select
        grain,
        period_start,
        dimension,
        dimension_value,
        count_if(non_cancelled_orders >= 1) as buyers,
        count_if(non_cancelled_orders >= 2) as repeat_buyers,
        sum(non_cancelled_orders) as non_cancelled_orders,
        count_if(valued_non_cancelled_orders >= 1) as valued_buyers,
        sum(revenue) as revenue,
        count(last_non_cancelled_at) as churn_customers,
        count_if(
            last_non_cancelled_at
            < {{ dbt.dateadd('day', -1 * var('churn_days'), as_of()) }}
        ) as churned
    from customers_per_slice
    group by all
),

order_kpis as (
    select
        grain,
        period_start,
        dimension,
        dimension_value,
        sum(kpi_amount) filter (where is_revenue and is_valued) as revenue_amount,
        count_if(is_revenue and is_valued) as revenue_orders
    from valued
    group by all
),

unpivoted as (
    select
        'repeat_customer_rate' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        100.0 * repeat_buyers / buyers as value,
        repeat_buyers as numerator,
        buyers as denominator,
        buyers as sample_size
    from customer_kpis
    where buyers > 0
    union all
    select
        'purchase_frequency' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        non_cancelled_orders / cast(buyers as double) as value,
        non_cancelled_orders as numerator,
        buyers as denominator,
        buyers as sample_size
    from customer_kpis
    where buyers > 0
    union all
    select
        'customer_lifetime_value' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        revenue / cast(valued_buyers as double) as value,
        revenue as numerator,
        valued_buyers as denominator,
        valued_buyers as sample_size
    from customer_kpis
    where valued_buyers > 0
    union all
    select
        'churn_rate' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        100.0 * churned / churn_customers as value,
        churned as numerator,
        churn_customers as denominator,
        churn_customers as sample_size
    from customer_kpis
    where churn_customers > 0 and grain = 'all_time'
    union all
    select
        'average_order_value' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        revenue_amount / cast(revenue_orders as double) as value,
        revenue_amount as numerator,
        revenue_orders as denominator,
        revenue_orders as sample_size
    from order_kpis
    where revenue_orders > 0
    union all
    select
        'churn_rate' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        value,
        numerator,
        denominator,
        sample_size
    from churn_by_month
),

final as (
    select
        kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        cast(value as double) as value,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(sample_size as bigint) as sample_size,
        cast(null as double) as margin_of_error_95
    from unpivoted
)

select * from final
