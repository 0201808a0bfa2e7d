{%- set person_limits = var('max_crm_persons_per_identifier') -%}
-- Every node of the identity graph with the component (person) it is assigned to, ids only;
-- int_identity__components adds the identifiers. One component is one person.
--
-- Steps 1 - 3 (the CRM persons: components over CRM records' latest versions, split where
-- over a person's limits) are int_identity__crm_persons. Then everything else (web
-- visitors, emails and phones only tickets, answers, web forms or older CRM versions show):
--   4. An identifier seen directly with more CRM persons than its type's limit in var
--      max_crm_persons_per_identifier (1: a family tablet logged in as two customers)
--      joins none of them (shared_by_crm_persons).
--   5. Components over the remaining identifiers and the CRM persons they touch. One that
--      unites more CRM persons than the limits of its identifiers' types is resolved
--      identifier by identifier: one seen directly with exactly one CRM person joins it,
--      any other joins no one (between_crm_persons). CRM persons are never merged by such
--      evidence unless the limits allow it.
-- A rejected anonymous_id is a visitor of its own; a rejected email or phone belongs to no
-- one. component_id is a node_id of the component.
with nodes as (
    select * from {{ ref('int_identity__nodes') }}
),

edges as (
    select * from {{ ref('int_identity__edges') }}
),

graph_nodes as (
    select * from nodes
    where is_linkable or identifier_type = 'anonymous_id'
),

-- ------------------------------------------------- CRM persons (1 - 3, their own model)

crm_persons as (
    select * from {{ ref('int_identity__crm_persons') }}
),

-- ------------------------------------------------ everything else and its persons (4 - 5)

other_nodes as (
    select
        graph_nodes.node_id,
        graph_nodes.identifier_type,
        graph_nodes.is_linkable,
        case graph_nodes.identifier_type
            {%- for identifier_type, limit in person_limits.items() %}
            when '{{ identifier_type }}' then {{ limit | int }}
            {%- endfor %}
            else 1
        end as max_crm_persons
    from graph_nodes
    anti join crm_persons
        on graph_nodes.node_id = crm_persons.node_id
),

-- every edge in both directions
directed_edges as (
    select
        src_node_id as node_id,
        dst_node_id as linked_node_id
    from edges
    union all
    select
        dst_node_id as node_id,
        src_node_id as linked_node_id
    from edges
),

-- edges from an identifier outside the CRM persons to a member (not a bridge) of one
attachments as (
    select distinct
        other_nodes.node_id,
        crm_persons.person_id
    from directed_edges
    inner join other_nodes
        on directed_edges.node_id = other_nodes.node_id
    inner join crm_persons
        on directed_edges.linked_node_id = crm_persons.node_id
    where other_nodes.is_linkable and not crm_persons.is_bridge
),

direct_persons as (
    select
        node_id,
        count(*) as crm_persons,
        min(person_id) as person_id
    from attachments
    group by node_id
),

-- step 4: seen with more CRM persons than its type allows
shared_by_crm_persons as (
    select other_nodes.node_id
    from other_nodes
    inner join direct_persons
        on other_nodes.node_id = direct_persons.node_id
    where direct_persons.crm_persons > other_nodes.max_crm_persons
),

linking_others as (
    select * from other_nodes
    anti join shared_by_crm_persons
        on other_nodes.node_id = shared_by_crm_persons.node_id
    where other_nodes.is_linkable
),

-- step 5: the persons stand for their members
others_graph_nodes as (
    select node_id from linking_others
    union
    select distinct person_id from crm_persons
    where not is_bridge
),

others_graph_edges as (
    {{ edges_within('edges', 'linking_others', 'src_node_id', 'dst_node_id') }}
    union all
    select
        attachments.node_id as src,
        attachments.person_id as dst
    from attachments
    semi join linking_others
        on attachments.node_id = linking_others.node_id
),

others_pass as (
    {{ identity_components('others_graph_nodes', 'others_graph_edges') }}
),

others_pass_persons as (
    select
        others_pass.component_id,
        count(distinct crm_persons.person_id) as crm_persons
    from others_pass
    inner join crm_persons
        on others_pass.node_id = crm_persons.person_id
    group by others_pass.component_id
),

others_pass_limits as (
    select
        others_pass.component_id,
        min(linking_others.max_crm_persons) as max_crm_persons
    from others_pass
    inner join linking_others
        on others_pass.node_id = linking_others.node_id
    group by others_pass.component_id
),

-- a component whose persons its identifiers may unite (always so for one person or none)
allowed_components as (
    select others_pass_limits.component_id
    from others_pass_limits
    left join others_pass_persons
        on others_pass_limits.component_id = others_pass_persons.component_id
    where coalesce(others_pass_persons.crm_persons, 0) <= greatest(others_pass_limits.max_crm_persons, 1)
),

-- the component each CRM person ends in (its own unless an allowed component unites it)
person_components as (
    select
        others_pass.node_id as person_id,
        case
            when allowed_components.component_id is not null then others_pass.component_id
            else others_pass.node_id
        end as component_id
    from others_pass
    left join allowed_components
        on others_pass.component_id = allowed_components.component_id
    semi join (select distinct person_id from crm_persons) as persons
        on others_pass.node_id = persons.person_id
),

other_components as (
    select
        other_nodes.node_id,
        other_nodes.is_linkable,
        case
            when not other_nodes.is_linkable then other_nodes.node_id
            when shared_by_crm_persons.node_id is not null then other_nodes.node_id
            when allowed_components.component_id is not null then others_pass.component_id
            when direct_persons.crm_persons = 1 then person_components.component_id
            else other_nodes.node_id
        end as component_id,
        case
            when shared_by_crm_persons.node_id is not null then 'shared_by_crm_persons'
            when
                other_nodes.is_linkable
                and allowed_components.component_id is null
                and coalesce(direct_persons.crm_persons, 0) != 1
                then 'between_crm_persons'
        end as rejection_reason
    from other_nodes
    left join shared_by_crm_persons
        on other_nodes.node_id = shared_by_crm_persons.node_id
    left join others_pass
        on other_nodes.node_id = others_pass.node_id
    left join allowed_components
        on others_pass.component_id = allowed_components.component_id
    left join direct_persons
        on other_nodes.node_id = direct_persons.node_id
    left join person_components
        on direct_persons.person_id = person_components.person_id
),

resolved as (
    select
        crm_persons.node_id,
        case
            when crm_persons.is_bridge then crm_persons.node_id
            else person_components.component_id
        end as component_id,
        crm_persons.resolved_in_pass,
        crm_persons.is_bridge,
        cast(null as string) as rejection_reason,
        -- a CRM person's passes run on linkable nodes only
        true as is_linkable
    from crm_persons
    left join person_components
        on crm_persons.person_id = person_components.person_id
    union all
    select
        other_components.node_id,
        other_components.component_id,
        4 as resolved_in_pass,
        false as is_bridge,
        other_components.rejection_reason,
        other_components.is_linkable
    from other_components
),

final as (
    select
        node_id,
        component_id,
        resolved_in_pass,
        is_bridge,
        rejection_reason,
        is_linkable and not is_bridge and rejection_reason is null as is_linked
    from resolved
)

select * from final
