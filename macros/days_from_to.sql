{#-
    A set-returning select expression: one row per date from `first_date` to `last_date`
    (dates, both included), as a date.
-#}
{% macro days_from_to(first_date, last_date) -%}
    {{ return(adapter.dispatch('days_from_to', 'cx_warehouse')(first_date, last_date)) }}
{%- endmacro %}
