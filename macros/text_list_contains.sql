{#-
    Whether `text`, split at `separator` (a SQL string literal without regular
    expression characters), has an element equal to `value`.
-#}
{% macro text_list_contains(text, separator, value) -%}
    {{ return(adapter.dispatch('text_list_contains', 'cx_warehouse')(text, separator, value)) }}
{%- endmacro %}
