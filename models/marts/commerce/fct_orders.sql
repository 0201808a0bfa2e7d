-- order_month is the month in the reporting time zone; reporting_amount the amount in
-- the reporting currency (int_commerce__order_amounts), NULL when no rate converts it.
with orders as (
    select * from {{ ref('stg_crm__orders') }}
),

order_amounts as (
    select * from {{ ref('int_commerce__order_amounts') }}
),

customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
    where identifier_type = 'crm_customer_id'
),

final as (
    select
        orders.order_id,
        customer_keys.customer_key,
        orders.customer_id,
        orders.ordered_at,
        {{ reporting_month('orders.ordered_at') }} as order_month,
        orders.channel,
        orders.status,
        orders.currency,
        orders.amount,
        order_amounts.reporting_currency,
        order_amounts.exchange_rate,
        order_amounts.reporting_amount,
        order_amounts.has_exchange_rate,
        orders.items_count,
        orders.status = 'cancelled' as is_cancelled,
        orders.status = 'returned' as is_returned,
        orders.status not in ('cancelled', 'returned') as is_revenue,
        orders.updated_at,
        orders.is_future_dated,
    from orders
    left join customer_keys
        on orders.customer_id = customer_keys.identifier_value
    left join order_amounts
        on orders.order_id = order_amounts.order_id
)

select * from final
