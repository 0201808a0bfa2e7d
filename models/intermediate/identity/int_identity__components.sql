-- Connected components of the identity graph (one component is one person), with the
-- identifiers: int_identity__assignments with each node's type, value and sightings.
-- The algorithm is in int_identity__crm_persons (steps 1 - 3) and
-- int_identity__assignments (steps 4 - 5), each component search in a query of its own:
-- in one query DuckDB held both searches' tables and the identifiers at once, which ran
-- out of a 1 GB memory limit at 1 M customers (each search alone fits in 512 MB).
with nodes as (
    select * from {{ ref('int_identity__nodes') }}
),

assignments as (
    select * from {{ ref('int_identity__assignments') }}
),

final as (
    select
        assignments.node_id,
        nodes.identifier_type,
        nodes.identifier_value,
        nodes.first_seen_at,
        nodes.last_seen_at,
        assignments.component_id,
        assignments.resolved_in_pass,
        assignments.is_bridge,
        assignments.rejection_reason,
        assignments.is_linked
    from assignments
    inner join nodes
        on assignments.node_id = nodes.node_id
)

select * from final
