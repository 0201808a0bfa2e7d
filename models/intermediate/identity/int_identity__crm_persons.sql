-- CRM persons: steps 1 - 3 of the identity graph's components (int_identity__assignments
-- does steps 4 - 5; macros/identity_components.sql is the component search):
--   1. Components over the edges a CRM record's latest version shows (its customer_id with
--      its email and phone). Rejected emails and phones leave the graph.
--   2. A component with more CRM records, emails or phones than the max_*_per_person
--      vars is split again without its bridges: the emails and phones seen directly with
--      two or more CRM records. Bridges do not link (listed in the audit).
--   3. A component still over a limit keeps only the edges at a CRM record.
-- Each resulting component is a CRM person, named by one of its node_ids.
-- A model of its own so that each of the two big component searches (this one and
-- int_identity__assignments') runs in a query of its own: in one query with the
-- identifiers DuckDB held them all at once, which ran out of a 1 GB memory limit at
-- 1 M customers.
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

crm_edges as (
    select
        edges.src_node_id as src,
        edges.dst_node_id as dst
    from edges
    where array_contains(edges.evidence, 'crm_customer')
),

first_pass_nodes as (
    select node_id from graph_nodes
    where identifier_type = 'crm_customer_id'
    union
    select src from crm_edges
    union
    select dst from crm_edges
),

first_pass as (
    {{ identity_components('first_pass_nodes', 'crm_edges') }}
),

first_pass_over_limit as (
    {{ components_over_person_limits('first_pass', 'graph_nodes') }}
),

first_pass_over_limit_nodes as (
    select
        graph_nodes.*,
        first_pass.component_id as first_pass_component_id
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
    {{ edges_within('crm_edges', 'second_pass_nodes') }}
),

second_pass as (
    {{ identity_components('second_pass_nodes', 'second_pass_edges') }}
),

second_pass_over_limit as (
    {{ components_over_person_limits('second_pass', 'graph_nodes') }}
),

third_pass_nodes as (
    select second_pass.node_id
    from second_pass
    semi join second_pass_over_limit
        on second_pass.component_id = second_pass_over_limit.component_id
),

third_pass_candidate_edges as (
    {{ edges_within('crm_edges', 'third_pass_nodes') }}
),

-- only the edges at a CRM record
third_pass_edges as (
    select
        third_pass_candidate_edges.src,
        third_pass_candidate_edges.dst
    from third_pass_candidate_edges
    inner join graph_nodes as src_graph_nodes
        on third_pass_candidate_edges.src = src_graph_nodes.node_id
    inner join graph_nodes as dst_graph_nodes
        on third_pass_candidate_edges.dst = dst_graph_nodes.node_id
    where 'crm_customer_id' in (src_graph_nodes.identifier_type, dst_graph_nodes.identifier_type)
),

third_pass as (
    {{ identity_components('third_pass_nodes', 'third_pass_edges') }}
),

-- every node of a CRM person, with the person (a node_id); bridges are their own person
-- here (int_identity__assignments gives them to no one)
final as (
    select
        first_pass.node_id,
        case
            when bridges.node_id is not null then first_pass.node_id
            else coalesce(
                third_pass.component_id,
                second_pass.component_id,
                first_pass.component_id
            )
        end as person_id,
        case
            when third_pass.node_id is not null then 3
            when second_pass.node_id is not null then 2
            else 1
        end as resolved_in_pass,
        bridges.node_id is not null as is_bridge
    from first_pass
    left join second_pass
        on first_pass.node_id = second_pass.node_id
    left join third_pass
        on first_pass.node_id = third_pass.node_id
    left join bridges
        on first_pass.node_id = bridges.node_id
)

select * from final
