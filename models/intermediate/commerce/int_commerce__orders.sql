-- order_month is the month in the reporting time zone; reporting_amount the amount in
-- the reporting currency (int_commerce__order_amounts), NULL when no rate converts it.
-- An order belongs to the customer of its customer_id; when that id links no one (a
-- placeholder such as a shop's guest id `0`, see int_identity__rejected_identifiers), to
-- the one customer its web purchase events prove: the email typed on them, else the device
-- (unless the device is itself rejected, e.g. shared by several customers); else to no one.
with orders as (
    select * from {{ ref('stg_crm__orders') }}
),

order_amounts as (
    select * from {{ ref('int_commerce__order_amounts') }}
),

customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

purchase_events as (
    select distinct
        order_id,
        anonymous_id,
        email
    from web_events
    where order_id is not null
),

purchase_proofs as (
    select
        purchase_events.order_id,
        coalesce(by_email.customer_key, by_device.customer_key) as customer_key
    from purchase_events
    {{ join_customer_key('email', 'purchase_events.email', 'by_email') }}
    {{ join_customer_key(
        'anonymous_id', 'purchase_events.anonymous_id', 'by_device', linked_only=true
    ) }}
),

proven_buyers as (
    select
        order_id,
        min(customer_key) as customer_key
    from purchase_proofs
    where customer_key is not null
    group by order_id
    having count(distinct customer_key) = 1
),

final as (
    select
        orders.order_id,
        coalesce(by_customer_id.customer_key, proven_buyers.customer_key) as customer_key,
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
        orders.is_future_dated
    from orders
    {{ join_customer_key('crm_customer_id', 'orders.customer_id_normalized', 'by_customer_id') }}
    left join proven_buyers
        on orders.order_id = proven_buyers.order_id
    left join order_amounts
        on orders.order_id = order_amounts.order_id
)

select * from final
