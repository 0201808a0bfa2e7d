-- A table (dbt_project.yml), not a view: picking the latest version is a window over
-- every version, which each model and test reading a view would compute again.
-- The latest version of each order (by updated_at, a missing updated_at sorting lowest;
-- ties: the later file, then the later line).
with source as (
    select * from {{ source('crm', 'crm_orders') }}
),

renamed as (
    select
        {{ nullif_blank('order_id') }} as order_id,
        {{ nullif_blank('customer_id') }} as customer_id,
        {{ normalize_identifier('customer_id') }} as customer_id_normalized,
        ordered_at,
        {{ vocabulary_value('order_channel', 'channel') }} as channel,
        {{ vocabulary_value('order_status', 'status') }} as status,
        coalesce(upper({{ nullif_blank('currency') }}), 'EUR') as currency,
        amount,
        items_count,
        updated_at,
        {{ is_future_dated(['ordered_at', 'updated_at']) }} as is_future_dated,
        _file,
        _line
    from source
),

latest as (
    select *
    from renamed
    qualify row_number() over (
        partition by order_id
        order by updated_at desc nulls last, _file desc, _line desc
    ) = 1
),

final as (
    select
        order_id,
        customer_id,
        customer_id_normalized,
        ordered_at,
        channel,
        status,
        currency,
        amount,
        items_count,
        updated_at,
        is_future_dated
    from latest
)

select * from final
