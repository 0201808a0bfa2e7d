{% macro duckdb__cte_materialization(materialized) -%}
    {{- 'materialized' if materialized else 'not materialized' -}}
{%- endmacro %}
