{#- Spark has no ASOF join: a lateral subquery takes the latest matching row. -#}
{% macro spark__asof_left_join(relation, condition, left_time, right_time) -%}
    left join lateral (
        select *
        from {{ relation }}
        where
            {{ condition }}
            and {{ left_time }} >= {{ right_time }}
        order by {{ right_time }} desc
        limit 1
    ) as {{ relation }}
{%- endmacro %}
