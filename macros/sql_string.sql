{#- A SQL string literal of `value` (quotes doubled). -#}
{% macro sql_string(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}
