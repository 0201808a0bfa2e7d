-- Each order's amount in the reporting currency, var('reporting_currency') (serving
-- contract): an order in another currency is converted at the latest rate on or before
-- its order date (the date in the reporting time zone) from the seed exchange_rates:
-- directly (a rate of the pair, either way round) or through a base currency of the seed
-- (EUR rates convert USD to JPY), preferring the reporting currency as the base, then the
-- order's own currency, then the others alphabetically. An order with no such rate has
-- exchange_rate and reporting_amount NULL and has_exchange_rate false: it counts in no
-- revenue KPI and is never added as if it were in another currency.
{%- set reporting_currency = "'" ~ (var('reporting_currency') | upper) ~ "'" %}
with orders as (
    select * from {{ ref('stg_crm__orders') }}
),

exchange_rates as (
    select * from {{ ref('exchange_rates') }}
),

-- every rate both ways round: units of to_currency per 1 from_currency from rate_date on
rate_legs as (
    select
        upper(trim(base_currency)) as from_currency,
        upper(trim(quote_currency)) as to_currency,
        rate_date,
        rate as units
    from exchange_rates
    where rate > 0
    union all
    select
        upper(trim(quote_currency)) as from_currency,
        upper(trim(base_currency)) as to_currency,
        rate_date,
        1.0 / rate as units
    from exchange_rates
    where rate > 0
),

-- the currencies a conversion may go through
pivot_currencies as (
    select distinct upper(trim(base_currency)) as pivot_currency
    from exchange_rates
    union
    select {{ reporting_currency }} as pivot_currency
),

-- the rate depends only on the currency and the date: convert each pair once
foreign_order_dates as (
    select distinct
        currency,
        cast({{ reporting_time('ordered_at') }} as date) as order_date
    from orders
    where currency != {{ reporting_currency }}
),

routes as (
    select
        foreign_order_dates.currency,
        foreign_order_dates.order_date,
        pivot_currencies.pivot_currency
    from foreign_order_dates
    cross join pivot_currencies
),

-- units of the pivot per 1 unit of the order's currency, latest on or before the date
to_pivot as (
    select
        routes.*,
        case
            when routes.currency = routes.pivot_currency then 1.0
            else rate_legs.units
        end as pivot_per_unit
    from routes
    {{ asof_left_join(
        'rate_legs',
        'routes.currency = rate_legs.from_currency'
        ~ ' and routes.pivot_currency = rate_legs.to_currency',
        'routes.order_date',
        'rate_legs.rate_date'
    ) }}
),

-- units of the reporting currency per 1 unit of the pivot, latest on or before the date
to_reporting as (
    select
        to_pivot.*,
        case
            when to_pivot.pivot_currency = {{ reporting_currency }} then 1.0
            else rate_legs.units
        end as reporting_per_pivot
    from to_pivot
    {{ asof_left_join(
        'rate_legs',
        'to_pivot.pivot_currency = rate_legs.from_currency'
        ~ ' and rate_legs.to_currency = ' ~ reporting_currency,
        'to_pivot.order_date',
        'rate_legs.rate_date'
    ) }}
),

rates_per_order_date as (
    select
        currency,
        order_date,
        min_by(
            pivot_per_unit * reporting_per_pivot,
            {{ ordering_key([
                'case when pivot_currency = ' ~ reporting_currency
                ~ ' then 0 when pivot_currency = currency then 1 else 2 end',
                'pivot_currency',
            ]) }}
        ) filter (
            where pivot_per_unit is not null and reporting_per_pivot is not null
        ) as exchange_rate
    from to_reporting
    group by currency, order_date
),

order_rates as (
    select
        orders.order_id,
        orders.currency,
        orders.amount,
        case
            when orders.currency = {{ reporting_currency }} then 1.0
            else rates_per_order_date.exchange_rate
        end as exchange_rate
    from orders
    left join rates_per_order_date
        on
            orders.currency = rates_per_order_date.currency
            and cast({{ reporting_time('orders.ordered_at') }} as date)
            = rates_per_order_date.order_date
),

final as (
    select
        order_id,
        currency,
        amount,
        {{ reporting_currency }} as reporting_currency,
        exchange_rate,
        -- a DECIMAL like amount: the product is rounded once per order, and every sum of
        -- it downstream is exact, so the same in any order of the rows (a sum of DOUBLE
        -- amounts changes in its last digits with the order DuckDB's threads add them)
        cast(cast(amount as double) * exchange_rate as decimal(38, 18)) as reporting_amount,
        exchange_rate is not null as has_exchange_rate
    from order_rates
)

select * from final
