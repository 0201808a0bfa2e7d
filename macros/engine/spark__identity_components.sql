{#- Spark's recursive CTEs allow only UNION ALL and have no `using key`, so the min-label
    propagation is unrolled: var('spark_component_rounds') rounds (default 10), each node
    taking the smallest label among itself and its neighbours. A component whose diameter
    exceeds the rounds is left unfinished, which the test
    assert_identity_components_converged reports. -#}
{% macro spark__identity_components(nodes, edges) -%}
    {%- set rounds = var('spark_component_rounds', 10) | int -%}
    with undirected_edges as (
        select src, dst from {{ edges }}
        union all
        select dst as src, src as dst from {{ edges }}
    ),

    labels_0 as (
        select
            node_id,
            node_id as component_id
        from {{ nodes }}
    ),
    {%- for round in range(1, rounds + 1) %}

    labels_{{ round }} as (
        select
            labels.node_id,
            least(
                labels.component_id,
                coalesce(min(neighbours.component_id), labels.component_id)
            ) as component_id
        from labels_{{ round - 1 }} as labels
        left join undirected_edges
            on labels.node_id = undirected_edges.src
        left join labels_{{ round - 1 }} as neighbours
            on undirected_edges.dst = neighbours.node_id
        group by labels.node_id, labels.component_id
    ){{ ',' if not loop.last }}
    {%- endfor %}

    select
        node_id,
        component_id
    from labels_{{ rounds }}
{%- endmacro %}
