{#-
    A join clause: each row of the relation before it with the one row of `relation` (a CTE
    name, also the alias its columns are read under) that meets `condition` and has the
    latest `right_time` at or before `left_time` (NULLs when none): an as-of join, e.g. the
    latest exchange rate on or before an order's date.
-#}
{% macro asof_left_join(relation, condition, left_time, right_time) -%}
    {{ return(adapter.dispatch('asof_left_join', 'cx_warehouse')(
        relation, condition, left_time, right_time
    )) }}
{%- endmacro %}
