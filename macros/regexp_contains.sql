{#-
    Whether some part of `value` matches the regular expression `pattern` (SQL string
    literal); NULL when `value` is NULL.
-#}
{% macro regexp_contains(value, pattern) -%}
    {{ return(adapter.dispatch('regexp_contains', 'cx_warehouse')(value, pattern)) }}
{%- endmacro %}
