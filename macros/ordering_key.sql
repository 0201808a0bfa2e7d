{#-
    A value that orders like the list of SQL expressions `columns` compared one after the
    other (a row / struct), e.g. the second argument of min_by / max_by.
-#}
{% macro ordering_key(columns) -%}
    {{ return(adapter.dispatch('ordering_key', 'cx_warehouse')(columns)) }}
{%- endmacro %}
