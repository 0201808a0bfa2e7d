{%- set max_crm = var('max_crm_records_per_person') -%}
{%- set max_emails = var('max_emails_per_person') -%}
{%- set max_phones = var('max_phones_per_person') -%}
-- Connected components of the identity graph: one component is one person.
--
-- The rule, in three passes (see macros/identity_components.sql for the algorithm):
--   1. Components over all edges between linkable identifiers. Rejected anonymous_ids
--      stay as a visitor of their own; rejected emails and phones leave the graph.
--   2. A component with more CRM records, emails or phones than the max_*_per_person
--      vars is split again without its bridges: the emails, phones and anonymous_ids seen
--      directly with two or more CRM records. Bridges do not link (listed in the audit).
--   3. A component still over a limit keeps only the edges at a CRM record: each CRM
--      record with what its own records, tickets, answers and logins show.
-- component_id is the smallest node_id of the component (unique across passes, since a
-- later pass only splits a component of the one before).
with nodes as (
    select * from {{ ref('int_identity__nodes') }}
),

edges as (
    select * from {{ ref('int_identity__edges') }}
),

graph_nodes as (
    select * from nodes
    where is_linkable or identifier_type in ('anonymous_id', 'crm_customer_id')
),

first_pass_nodes as (
    select node_id from graph_nodes
),

first_pass_edges as (
    select
        src_node_id as src,
        dst_node_id as dst,
    from edges
),

first_pass as (
    {{ identity_components('first_pass_nodes', 'first_pass_edges') }}
),

first_pass_over_limit as (
    select first_pass.component_id
    from first_pass
    inner join graph_nodes
        on first_pass.node_id = graph_nodes.node_id
    group by first_pass.component_id
    having
        count(*) filter (where graph_nodes.identifier_type = 'crm_customer_id') > {{ max_crm }}
        or count(*) filter (where graph_nodes.identifier_type = 'email') > {{ max_emails }}
        or count(*) filter (where graph_nodes.identifier_type = 'phone') > {{ max_phones }}
),

first_pass_over_limit_nodes as (
    select
        graph_nodes.*,
        first_pass.component_id as first_pass_component_id,
    from first_pass
    inner join first_pass_over_limit
        on first_pass.component_id = first_pass_over_limit.component_id
    inner join graph_nodes
        on first_pass.node_id = graph_nodes.node_id
),

bridges as (
    select node_id
    from first_pass_over_limit_nodes
    where
        identifier_type != 'crm_customer_id'
        and linked_crm_records >= 2
),

second_pass_nodes as (
    select node_id from first_pass_over_limit_nodes
    anti join bridges
        on first_pass_over_limit_nodes.node_id = bridges.node_id
),

second_pass_edges as (
    select
        edges.src_node_id as src,
        edges.dst_node_id as dst,
    from edges
    semi join second_pass_nodes as src_nodes
        on edges.src_node_id = src_nodes.node_id
    semi join second_pass_nodes as dst_nodes
        on edges.dst_node_id = dst_nodes.node_id
),

second_pass as (
    {{ identity_components('second_pass_nodes', 'second_pass_edges') }}
),

second_pass_over_limit as (
    select second_pass.component_id
    from second_pass
    inner join graph_nodes
        on second_pass.node_id = graph_nodes.node_id
    group by second_pass.component_id
    having
        count(*) filter (where graph_nodes.identifier_type = 'crm_customer_id') > {{ max_crm }}
        or count(*) filter (where graph_nodes.identifier_type = 'email') > {{ max_emails }}
        or count(*) filter (where graph_nodes.identifier_type = 'phone') > {{ max_phones }}
),

third_pass_nodes as (
    select second_pass.node_id
    from second_pass
    semi join second_pass_over_limit
        on second_pass.component_id = second_pass_over_limit.component_id
),

third_pass_edges as (
    select
        edges.src_node_id as src,
        edges.dst_node_id as dst,
    from edges
    semi join third_pass_nodes as src_nodes
        on edges.src_node_id = src_nodes.node_id
    semi join third_pass_nodes as dst_nodes
        on edges.dst_node_id = dst_nodes.node_id
    inner join graph_nodes as src_graph_nodes
        on edges.src_node_id = src_graph_nodes.node_id
    inner join graph_nodes as dst_graph_nodes
        on edges.dst_node_id = dst_graph_nodes.node_id
    where 'crm_customer_id' in (src_graph_nodes.identifier_type, dst_graph_nodes.identifier_type)
),

third_pass as (
    {{ identity_components('third_pass_nodes', 'third_pass_edges') }}
),

resolved as (
    select
        first_pass.node_id,
        coalesce(
            third_pass.component_id,
            second_pass.component_id,
            first_pass.component_id
        ) as component_id,
        case
            when third_pass.node_id is not null then 3
            when second_pass.node_id is not null then 2
            else 1
        end as resolved_in_pass,
        bridges.node_id is not null as is_bridge,
    from first_pass
    left join second_pass
        on first_pass.node_id = second_pass.node_id
    left join third_pass
        on first_pass.node_id = third_pass.node_id
    left join bridges
        on first_pass.node_id = bridges.node_id
),

final as (
    select
        resolved.node_id,
        graph_nodes.identifier_type,
        graph_nodes.identifier_value,
        graph_nodes.first_seen_at,
        graph_nodes.last_seen_at,
        case
            when resolved.is_bridge then resolved.node_id else resolved.component_id
        end as component_id,
        resolved.resolved_in_pass,
        resolved.is_bridge,
    from resolved
    inner join graph_nodes
        on resolved.node_id = graph_nodes.node_id
)

select * from final
