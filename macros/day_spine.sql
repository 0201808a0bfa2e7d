{#-
    A relation (for a FROM clause) with one column `column_name`: every day from
    `first_date` (included) to `last_date` (excluded), both SQL date expressions.
-#}
{% macro day_spine(first_date, last_date, column_name) -%}
    {{ return(adapter.dispatch('day_spine', 'cx_warehouse')(first_date, last_date, column_name)) }}
{%- endmacro %}
