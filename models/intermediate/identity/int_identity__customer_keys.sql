-- One row per identifier that belongs to a person, with the person's customer_key.
-- customer_key = 'cus_' + the first 16 hex digits of sha256('<type>:<value>') of the
-- component's earliest identifier (earliest first_seen_at; ties by type, then value).
-- It depends only on the data, not on load order or row numbers, so it stays the same
-- when later batches add identifiers to a person.
-- Emails and phones that were rejected (blocked, over a limit, bridges) belong to nobody;
-- a rejected anonymous_id is a visitor of its own, so every web session has a customer.
with components as (
    select * from {{ ref('int_identity__components') }}
),

members as (
    select * from components
    where not (is_bridge and identifier_type in ('email', 'phone'))
),

keyed as (
    select
        *,
        first_value(identifier_type || ':' || identifier_value) over (
            partition by component_id
            order by first_seen_at, identifier_type, identifier_value
        ) as key_identifier,
    from members
),

final as (
    select
        identifier_type,
        identifier_value,
        'cus_' || left(sha256(key_identifier), 16) as customer_key,
        component_id,
        node_id,
        first_seen_at,
        last_seen_at,
    from keyed
)

select * from final
