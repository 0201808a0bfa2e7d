{#- Spark's recursive CTEs allow only UNION ALL and have no `using key`, so the min-label
    propagation is unrolled into var('spark_component_rounds') rounds (default 20). Every
    node has a loop edge, so a round is one join and one aggregate over the previous
    round's labels (each node takes the smallest label among itself and its neighbours):
    each round reads the one before it once, and the plan grows linearly with the rounds.
    After the last round every edge must join two equal labels; a component whose diameter
    exceeds the rounds fails the model with raise_error (no silent split of a person). -#}
{% macro spark__identity_components(nodes, edges) -%}
    {%- set rounds = var('spark_component_rounds', 20) | int -%}
    with component_nodes as (
        select distinct node_id from {{ nodes }}
    ),

    -- every edge in both directions, between two nodes of the graph
    linked_edges as (
        select
            directed.src,
            directed.dst
        from (
            select src, dst from {{ edges }}
            union all
            select dst as src, src as dst from {{ edges }}
        ) as directed
        semi join component_nodes as src_nodes
            on directed.src = src_nodes.node_id
        semi join component_nodes as dst_nodes
            on directed.dst = dst_nodes.node_id
    ),

    -- with a loop at every node: a round keeps a node's own label in its minimum
    round_edges as (
        select src, dst from linked_edges
        union all
        select
            node_id as src,
            node_id as dst
        from component_nodes
    ),

    labels_0 as (
        select
            node_id,
            node_id as component_id
        from component_nodes
    ),
    {%- for round in range(1, rounds + 1) %}

    labels_{{ round }} as (
        select
            round_edges.dst as node_id,
            min(labels.component_id) as component_id
        from labels_{{ round - 1 }} as labels
        inner join round_edges
            on labels.node_id = round_edges.src
        group by round_edges.dst
    ),
    {%- endfor %}

    unconverged_edges as (
        select count(*) as edges
        from linked_edges
        inner join labels_{{ rounds }} as src_labels
            on linked_edges.src = src_labels.node_id
        inner join labels_{{ rounds }} as dst_labels
            on linked_edges.dst = dst_labels.node_id
        where src_labels.component_id != dst_labels.component_id
    )

    select
        labels.node_id,
        case
            when unconverged_edges.edges = 0 then labels.component_id
            else cast(raise_error(concat(
                'identity_components: ', cast(unconverged_edges.edges as string),
                ' edges join two labels after {{ rounds }} rounds; raise var spark_component_rounds'
            )) as bigint)
        end as component_id
    from labels_{{ rounds }} as labels
    cross join unconverged_edges
{%- endmacro %}
