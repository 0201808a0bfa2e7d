-- Per unified customer, the purchase summary the CLV models are fitted on (time in days):
-- a purchase is an order neither cancelled nor returned (the revenue orders), placed up to
-- as_of, not future-dated, with its amount in the reporting currency (an order without an
-- exchange rate counts in no revenue, so in no purchase either); purchases on the same
-- UTC day count as one transaction (their amounts add up);
-- frequency = repeat purchase days, recency = days from the first to the last purchase
-- day, T = days from the first purchase day to as_of's day, monetary_value = mean amount
-- of the repeat purchase days (NULL without repeats).
-- Days are calendar days, as in the literature (lifetimes'
-- summary_data_from_transaction_data with freq 'D' turns timestamps into days first): a
-- first purchase at 10:00 on day 1 and a last one at 09:00 on day 8 are 7 days apart.
-- The sums and means add their terms in a set order (`order by` inside the aggregate): a
-- sum of DOUBLE amounts in the order DuckDB's threads deliver the rows would change in its
-- last bits from run to run, and the CLV fit with it (an exact DECIMAL sum needs no order,
-- but the summary must not depend on the amount's type).
with orders as (
    select * from {{ ref('int_commerce__orders') }}
),

as_of as (
    select as_of_at from {{ ref('int_kpi__as_of') }}
),

purchases as (
    select
        orders.customer_key,
        orders.order_id,
        orders.ordered_at,
        cast(orders.ordered_at as date) as purchase_date,
        orders.reporting_amount as amount
    from orders
    cross join as_of
    where
        orders.status not in ('cancelled', 'returned')
        and orders.customer_key is not null
        and orders.has_exchange_rate
        and not orders.is_future_dated
        and orders.ordered_at <= as_of.as_of_at
),

purchase_days as (
    select
        customer_key,
        purchase_date,
        sum(amount order by ordered_at, order_id) as amount,
        row_number() over (
            partition by customer_key
            order by purchase_date
        ) as purchase_day_number
    from purchases
    group by customer_key, purchase_date
),

final as (
    select
        purchase_days.customer_key,
        min(purchase_days.purchase_date) as first_purchase_date,
        max(purchase_days.purchase_date) as last_purchase_date,
        cast(count(*) - 1 as integer) as frequency,
        cast({{ dbt.datediff(
            'min(purchase_days.purchase_date)', 'max(purchase_days.purchase_date)', 'day'
        ) }} as double) as recency,
        cast({{ dbt.datediff(
            'min(purchase_days.purchase_date)', 'cast(as_of.as_of_at as date)', 'day'
        ) }} as double) as t,
        cast(
            avg(purchase_days.amount order by purchase_days.purchase_date)
            filter (where purchase_days.purchase_day_number > 1)
            as double
        ) as monetary_value,
        cast(as_of.as_of_at as timestamp) as calibration_end
    from purchase_days
    cross join as_of
    group by purchase_days.customer_key, as_of.as_of_at
)

select * from final
