{#- The edges of a graph whose two ends are both among some nodes, as (src, dst).

    edges: a relation of edges; nodes: a relation with a column node_id; src_column,
    dst_column: the edge's end columns in `edges` (default src and dst). Returns a select
    of (src, dst) keeping each edge as it is (direction and repeats). -#}
{% macro edges_within(edges, nodes, src_column='src', dst_column='dst') -%}
    select
        {{ edges }}.{{ src_column }} as src,
        {{ edges }}.{{ dst_column }} as dst
    from {{ edges }}
    semi join {{ nodes }} as src_nodes
        on {{ edges }}.{{ src_column }} = src_nodes.node_id
    semi join {{ nodes }} as dst_nodes
        on {{ edges }}.{{ dst_column }} = dst_nodes.node_id
{%- endmacro %}
