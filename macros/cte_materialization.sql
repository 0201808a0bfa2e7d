{#-
    The hint after `name as` in a CTE: on DuckDB `materialized` / `not materialized`
    (whether DuckDB computes the CTE once or inlines it where it is read, a speed choice
    only); nothing on engines without the hint (Spark plans CTEs itself).
-#}
{% macro cte_materialization(materialized) -%}
    {{ return(adapter.dispatch('cte_materialization', 'cx_warehouse')(materialized)) }}
{%- endmacro %}
