-- Every order, ticket, survey answer and web session maps to at most one customer_key,
-- and every identifier of the published map to exactly one.
with touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

interactions_with_many_customers as (
    select
        interaction_type as kind,
        source_id as id,
        count(distinct customer_key) as customer_keys,
    from touchpoints
    group by interaction_type, source_id
    having count(distinct customer_key) > 1
),

identifiers_with_many_customers as (
    select
        identifier_type as kind,
        identifier_value as id,
        count(distinct customer_key) as customer_keys,
    from identity_map
    group by identifier_type, identifier_value
    having count(distinct customer_key) > 1
)

select * from interactions_with_many_customers
union all
select * from identifiers_with_many_customers
