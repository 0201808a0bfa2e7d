-- One row per identifier that belongs to a person, with the person's customer_key.
-- customer_key = 'cus_' + the first 16 hex digits of the keyed hash (hash_identifier:
-- HMAC-SHA256 with the deployment's key) of '<type>:<value>' of the component's earliest
-- identifier (earliest first_seen_at; ties by type, then value): a plain hash of an email
-- or phone could be reversed by trying every value.
-- It depends only on the data, not on load order or row numbers, so it stays the same
-- when later batches add identifiers to a person.
-- Emails, phones and CRM customer_ids that were rejected (blocked, over a limit, bridges,
-- shared by or between CRM persons) belong to nobody; a rejected anonymous_id is a visitor
-- of its own (is_linked = false), so every web session has a customer.
with components as (
    select * from {{ ref('int_identity__components') }}
),

members as (
    select * from components
    where is_linked or identifier_type = 'anonymous_id'
),

keyed as (
    select
        *,
        first_value(identifier_type || ':' || identifier_value) over (
            partition by component_id
            order by first_seen_at, identifier_type, identifier_value
        ) as key_identifier
    from members
),

final as (
    select
        identifier_type,
        identifier_value,
        'cus_' || left({{ hash_identifier('key_identifier') }}, 16) as customer_key,
        component_id,
        node_id,
        first_seen_at,
        last_seen_at,
        is_linked
    from keyed
)

select * from final
