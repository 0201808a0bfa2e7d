-- The component algorithm converged: no edge of a CRM record's latest version between two
-- identifiers resolved in the first pass joins two different components (bridges and
-- identifiers re-split in a later pass are exempt: their edges were dropped on purpose;
-- other evidence only attaches identifiers to CRM persons, see int_identity__components).
with components as (
    select * from {{ ref('int_identity__components') }}
),

edges as (
    select * from {{ ref('int_identity__edges') }}
)

select
    edges.src_node_id,
    edges.dst_node_id,
    src.component_id as src_component_id,
    dst.component_id as dst_component_id
from edges
inner join components as src
    on edges.src_node_id = src.node_id
inner join components as dst
    on edges.dst_node_id = dst.node_id
where
    src.component_id != dst.component_id
    and not src.is_bridge
    and not dst.is_bridge
    and src.resolved_in_pass = 1
    and dst.resolved_in_pass = 1
    and array_contains(edges.evidence, 'crm_customer')
