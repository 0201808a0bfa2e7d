{#-
    Aggregate: the distinct non-NULL values of `column` as a list (array), sorted.
-#}
{% macro sorted_distinct_list(column) -%}
    {{ return(adapter.dispatch('sorted_distinct_list', 'cx_warehouse')(column)) }}
{%- endmacro %}
