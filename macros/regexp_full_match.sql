{#-
    Whether the whole of `value` matches the regular expression `pattern` (a SQL string
    literal of a pattern both engines read alike: RE2 on DuckDB, Java on Spark); NULL when
    `value` is NULL.
-#}
{% macro regexp_full_match(value, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match', 'cx_warehouse')(value, pattern)) }}
{%- endmacro %}
