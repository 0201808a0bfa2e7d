{#- Connected components of an undirected graph, in SQL.

    nodes: a relation with a bigint column `node_id`; edges: a relation with bigint
    columns `src` and `dst`, holding each edge once in either or both directions.
    Returns a select of (node_id, component_id), component_id being the smallest node_id
    of the component.

    Min-label propagation as a recursive CTE keyed on the node (DuckDB `using key`): the
    working set holds only the nodes whose label dropped in the last round, so every round
    touches the frontier's edges only and the recursion stops when no label drops. Rounds
    are bounded by the graph's diameter (a star-shaped identity graph converges in a few).
    Measured: 3 M nodes, 6 M edges, 120-node chains, 2 threads: about 15 s.
    Spark has no `using key`: its variant (macros/engine) propagates every label and
    keeps the smallest, which is the same result. -#}
{% macro identity_components(nodes, edges) -%}
    {{ return(adapter.dispatch('identity_components', 'cx_warehouse')(nodes, edges)) }}
{%- endmacro %}
