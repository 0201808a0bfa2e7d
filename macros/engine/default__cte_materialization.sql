{% macro default__cte_materialization(materialized) -%}

{%- endmacro %}
