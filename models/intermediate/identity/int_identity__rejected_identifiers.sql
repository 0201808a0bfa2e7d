-- Audit of the merge guards: every identifier that was kept from linking people, and why.
--   blocked               matches seeds/blocked_identifiers
--   too_many_crm_records  seen directly with more CRM records than max_crm_records_per_person
--   too_many_emails       an anonymous_id that typed more emails than max_emails_per_person
--   too_many_emails       ... or a CRM customer_id seen with more than max_emails_per_crm_id
--   component_over_limit  a bridge (seen with 2+ CRM records) inside a component that was
--                         over a max_*_per_person limit; the component was split without it
--   shared_by_crm_persons seen directly with more CRM persons than its type's limit in
--                         max_crm_persons_per_identifier (a family tablet, a shared email)
--   between_crm_persons   in a cluster that would unite several CRM persons, and seen
--                         directly with none or several of them
with nodes as (
    select * from {{ ref('int_identity__nodes') }}
),

components as (
    select * from {{ ref('int_identity__components') }}
),

guard_rejections as (
    select
        identifier_type,
        identifier_value,
        rejection_reason,
        blocked_reason as detail,
        linked_crm_records,
        linked_emails,
        first_seen_at,
        last_seen_at
    from nodes
    where rejection_reason is not null
),

-- bridges (int_identity__components, steps 2-3) and identifiers the CRM persons reject
-- (steps 4-5): a node is one or the other, never both
component_rejections as (
    select
        nodes.identifier_type,
        nodes.identifier_value,
        case
            when components.is_bridge then 'component_over_limit'
            else components.rejection_reason
        end as rejection_reason,
        case
            when components.is_bridge
                then 'bridge between CRM records of a component over a max_*_per_person limit'
            when components.rejection_reason = 'shared_by_crm_persons'
                then 'seen directly with more CRM persons than max_crm_persons_per_identifier'
            else 'would unite CRM persons it is not seen directly with'
        end as detail,
        nodes.linked_crm_records,
        nodes.linked_emails,
        nodes.first_seen_at,
        nodes.last_seen_at
    from components
    inner join nodes
        on components.node_id = nodes.node_id
    where components.is_bridge or components.rejection_reason is not null
),

final as (
    select * from guard_rejections
    union all
    select * from component_rejections
)

select * from final
