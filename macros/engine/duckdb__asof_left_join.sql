{% macro duckdb__asof_left_join(relation, condition, left_time, right_time) -%}
    asof left join {{ relation }}
        on
            {{ condition }}
            and {{ left_time }} >= {{ right_time }}
{%- endmacro %}
