{{ config(schema='pii') }}
-- The plain emails and phones of each customer (schema pii: published only when
-- CXW_PUBLISH_PII=true). One row per customer and contact identifier.
with customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
    where identifier_type in ('email', 'phone')
),

final as (
    select
        customer_key,
        identifier_type as contact_type,
        identifier_value as contact_value,
        {{ hash_identifier('identifier_value') }} as contact_hash,
        first_seen_at,
        last_seen_at
    from customer_keys
)

select * from final
