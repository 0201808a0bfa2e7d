-- The edges of the identity graph: two linkable identifiers seen together in one source
-- record. One row per pair (src_node_id < dst_node_id), with the evidence behind it.
with observations as (
    select * from {{ ref('int_identity__observations') }}
),

nodes as (
    select * from {{ ref('int_identity__nodes') }}
),

linkable_nodes as (
    select * from nodes
    where is_linkable
),

pairs as (
    select
        least(anchor_node.node_id, identifier_node.node_id) as src_node_id,
        greatest(anchor_node.node_id, identifier_node.node_id) as dst_node_id,
        observations.evidence,
        observations.first_observed_at,
        observations.observations
    from observations
    inner join linkable_nodes as anchor_node
        on
            observations.anchor_type = anchor_node.identifier_type
            and observations.anchor_value = anchor_node.identifier_value
    inner join linkable_nodes as identifier_node
        on
            observations.identifier_type = identifier_node.identifier_type
            and observations.identifier_value = identifier_node.identifier_value
    where anchor_node.node_id != identifier_node.node_id
),

final as (
    select
        src_node_id,
        dst_node_id,
        {{ sorted_distinct_list('evidence') }} as evidence,
        min(first_observed_at) as first_observed_at,
        sum(observations) as observations
    from pairs
    group by src_node_id, dst_node_id
)

select * from final
