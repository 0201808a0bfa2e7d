{{ config(schema='pii') }}
-- Names of each unified customer (schema pii: published only when CXW_PUBLISH_PII=true).
with customer_profiles as (
    select * from {{ ref('int_identity__customer_profiles') }}
),

final as (
    select
        customer_key,
        first_name,
        last_name
    from customer_profiles
    where first_name is not null or last_name is not null
)

select * from final
