{#-
    The exact time from `start_column` to `end_column` in seconds (a double, microsecond
    precision, negative when end is earlier; NULL when either is NULL).
    Not dbt.datediff(start, end, 'second'): that counts the second boundaries crossed, so
    10:00:00.100 -> 10:30:00.900 (1800.8 s) gives 1800 and 10:00:00.900 -> 10:00:01.100
    (0.2 s) gives 1. Every duration of the project (session gaps, response and resolution
    times, days since an order) is computed from this.
-#}
{% macro seconds_between(start_column, end_column) -%}
    {{ return(adapter.dispatch('seconds_between', 'cx_warehouse')(start_column, end_column)) }}
{%- endmacro %}
