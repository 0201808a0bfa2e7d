{#-
    `value` with every match of the regular expression `pattern` (a SQL string literal)
    replaced by `replacement` (a SQL string literal).
-#}
{% macro regexp_replace_all(value, pattern, replacement) -%}
    {{ return(adapter.dispatch('regexp_replace_all', 'cx_warehouse')(value, pattern, replacement)) }}
{%- endmacro %}
