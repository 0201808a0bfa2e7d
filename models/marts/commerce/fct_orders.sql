with orders as (
    select * from {{ ref('stg_crm__orders') }}
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
        cast({{ dbt.date_trunc('month', 'orders.ordered_at') }} as date) as order_month,
        orders.channel,
        orders.status,
        orders.currency,
        orders.amount,
        orders.items_count,
        orders.status = 'cancelled' as is_cancelled,
        orders.status = 'returned' as is_returned,
        orders.status not in ('cancelled', 'returned') as is_revenue,
        orders.updated_at,
        orders.is_future_dated,
    from orders
    left join customer_keys
        on orders.customer_id = customer_keys.identifier_value
)

select * from final
