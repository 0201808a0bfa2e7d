-- One row per source identifier that belongs to a person. Emails and phones are published
-- only as keyed hashes (HMAC-SHA256 of the normalised value, see hash_identifier); the
-- plain values live in the pii schema.
with customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
),

final as (
    select
        case identifier_type
            when 'email' then 'email_hash'
            when 'phone' then 'phone_hash'
            else identifier_type
        end as identifier_type,
        case
            when identifier_type in ('email', 'phone')
                then {{ hash_identifier('identifier_value') }}
            else identifier_value
        end as identifier_value,
        customer_key,
        first_seen_at,
        last_seen_at
    from customer_keys
)

select * from final
