{#- Every node reached from each node's own label, by a recursive CTE (UNION: a pair
    seen before ends the recursion), then the smallest label per node. Each node carries
    the labels of its whole component: fine for identity components, which the merge
    guards keep small (var max_crm_records_per_person and the like). -#}
{% macro spark__identity_components(nodes, edges) -%}
    with recursive
    undirected_edges as (
        select src, dst from {{ edges }}
        union all
        select dst as src, src as dst from {{ edges }}
    ),

    reached (node_id, component_id) as (
        select
            node_id,
            node_id as component_id
        from {{ nodes }}
        union
        select
            undirected_edges.dst as node_id,
            reached.component_id
        from reached
        inner join undirected_edges
            on reached.node_id = undirected_edges.src
    )

    select
        node_id,
        min(component_id) as component_id
    from reached
    group by node_id
{%- endmacro %}
