{#- Connected components of an undirected graph, in SQL.

    nodes: a relation with a bigint column `node_id`; edges: a relation with bigint
    columns `src` and `dst`, holding each edge once in either or both directions.
    Returns a select of (node_id, component_id), component_id being the smallest node_id
    of the component.

    Min-label propagation as a recursive CTE keyed on the node (DuckDB `using key`): the
    working set holds only the nodes whose label dropped in the last round, so every round
    touches the frontier's edges only and the recursion stops when no label drops. Rounds
    are bounded by the graph's diameter (a star-shaped identity graph converges in a few).
    Measured: 3 M nodes, 6 M edges, 120-node chains, 2 threads: about 15 s. -#}
{% macro identity_components(nodes, edges) -%}
    with recursive
    -- union all: an edge given in both directions is then seen twice, which changes no
    -- minimum (and deduplicating 5.7 M edges cost a second at 1 M customers)
    undirected_edges as (
        select src, dst from {{ edges }}
        union all
        select dst as src, src as dst from {{ edges }}
    ),

    labels (node_id, component_id) using key (node_id) as (
        select
            node_id,
            node_id as component_id
        from {{ nodes }}
        union
        (
            select
                undirected_edges.dst as node_id,
                min(labels.component_id) as component_id
            from labels
            inner join undirected_edges
                on labels.node_id = undirected_edges.src
            inner join recurring.labels as current_labels
                on undirected_edges.dst = current_labels.node_id
            group by undirected_edges.dst, current_labels.component_id
            having min(labels.component_id) < current_labels.component_id
        )
    )

    select
        node_id,
        component_id
    from labels
{%- endmacro %}
