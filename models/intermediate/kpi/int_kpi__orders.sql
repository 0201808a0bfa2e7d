-- Order KPIs in the long shape of kpi_scorecard: repeat_customer_rate, purchase_frequency,
-- average_order_value, customer_lifetime_value and churn_rate, all_time overall, by
-- channel, by currency and by month. A slice restricts the orders (the orders of that
-- channel / currency / month) and the customers are counted over those orders; churn_rate
-- by month is instead the churn rate at the end of the month (int_kpi__churn_by_month).
-- Orders are fct_orders (one row per order_id, its latest version); customers are
-- unified customers.
-- churn_rate is relative to as_of: it leaves out future-dated orders (is_future_dated: a
-- timestamp after the load time of its batch cannot be true), so a customer's last order
-- is the last one that can be true, and a customer with only such orders is not counted.
-- Nor is a future-dated order in any month slice (macro kpi_slices): its month is not
-- known. It still counts in the all_time slices (its amount, its customer's orders).
-- Money (AOV, CLV) is in the reporting currency (fct_orders.reporting_amount) over the
-- orders a rate converts: an order without one counts in no revenue KPI, neither its
-- amount nor its customer (it is warned about in the quality suite). The `currency`
-- breakdown is in that currency: every order of it counts, at its own amount. The means
-- of money are worked out on the exact decimal sums (macro money_mean): AOV 89.55 / 3 is
-- 29.85, not 29.849999999999998.
with orders as (
    select * from {{ ref('int_commerce__orders') }}
),

churn_by_month as (
    select * from {{ ref('int_kpi__churn_by_month') }}
),

kpi_orders as (
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
),

sliced as (
    {{ kpi_slices('kpi_orders', ['channel', 'currency'], 'ordered_at') }}
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
        {{ kpi_slice_columns() }}
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
        {{ kpi_slice_columns() }}
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
        {{ kpi_slice_columns() }}
        sum(kpi_amount) filter (where is_revenue and is_valued) as revenue_amount,
        count_if(is_revenue and is_valued) as revenue_orders
    from valued
    group by all
),

-- one row per slice, every order KPI computed once; churn_rate by month is the monthly
-- stock of int_kpi__churn_by_month (a month slice's customers are not those of the month)
slices as (
    select
        order_kpis.grain,
        order_kpis.period_start,
        order_kpis.dimension,
        order_kpis.dimension_value,
        customer_kpis.buyers,
        customer_kpis.repeat_buyers,
        customer_kpis.non_cancelled_orders,
        customer_kpis.valued_buyers,
        customer_kpis.revenue,
        order_kpis.revenue_amount,
        order_kpis.revenue_orders,
        100.0 * cast(customer_kpis.repeat_buyers as double) / customer_kpis.buyers
            as repeat_customer_rate,
        customer_kpis.non_cancelled_orders / cast(customer_kpis.buyers as double)
            as purchase_frequency,
        {{ money_mean('customer_kpis.revenue', 'customer_kpis.valued_buyers') }}
            as customer_lifetime_value,
        {{ money_mean('order_kpis.revenue_amount', 'order_kpis.revenue_orders') }}
            as average_order_value,
        case
            when order_kpis.grain = 'all_time' then customer_kpis.churned
            else churn_by_month.numerator
        end as churned,
        case
            when order_kpis.grain = 'all_time' then customer_kpis.churn_customers
            else churn_by_month.denominator
        end as churn_customers,
        case
            when order_kpis.grain = 'all_time'
                then 100.0 * cast(customer_kpis.churned as double) / customer_kpis.churn_customers
            else churn_by_month.value
        end as churn_rate
    from order_kpis
    left join customer_kpis
        on
            order_kpis.grain = customer_kpis.grain
            and order_kpis.period_start is not distinct from customer_kpis.period_start
            and order_kpis.dimension = customer_kpis.dimension
            and order_kpis.dimension_value = customer_kpis.dimension_value
    left join churn_by_month
        on
            order_kpis.grain = churn_by_month.grain
            and order_kpis.period_start = churn_by_month.period_start
            and order_kpis.dimension = churn_by_month.dimension
),

final as (
    {{ kpi_rows('slices', [
        {'kpi': 'repeat_customer_rate', 'value': 'repeat_customer_rate',
         'numerator': 'repeat_buyers', 'denominator': 'buyers', 'sample_size': 'buyers'},
        {'kpi': 'purchase_frequency', 'value': 'purchase_frequency',
         'numerator': 'non_cancelled_orders', 'denominator': 'buyers', 'sample_size': 'buyers'},
        {'kpi': 'customer_lifetime_value', 'value': 'customer_lifetime_value',
         'numerator': 'revenue', 'denominator': 'valued_buyers', 'sample_size': 'valued_buyers'},
        {'kpi': 'churn_rate', 'value': 'churn_rate', 'numerator': 'churned',
         'denominator': 'churn_customers', 'sample_size': 'churn_customers'},
        {'kpi': 'average_order_value', 'value': 'average_order_value',
         'numerator': 'revenue_amount', 'denominator': 'revenue_orders',
         'sample_size': 'revenue_orders'},
    ]) }}
)

select * from final
