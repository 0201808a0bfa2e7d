{{ config(materialized='incremental') }}
-- Every (identifier, customer_key) pair the warehouse has published, with the run that
-- first recorded it. Append-only: the test assert_customer_keys_stable reads it to check
-- that loading more batches does not re-key a person (only a merge may retire a key).
with customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
),

final as (
    select
        customer_keys.identifier_type,
        customer_keys.identifier_value,
        customer_keys.customer_key,
        cast(current_timestamp as timestamp) as recorded_at
    from customer_keys
    {% if is_incremental() -%}
    anti join {{ this }} as recorded
        on
            customer_keys.identifier_type = recorded.identifier_type
            and customer_keys.identifier_value = recorded.identifier_value
            and customer_keys.customer_key = recorded.customer_key
    {%- endif %}
)

select * from final
