{#- Spark reads a backslash in a string literal as an escape: the pattern's are doubled -#}
{% macro spark__regexp_contains(value, pattern) -%}
    regexp_like({{ value }}, {{ pattern | replace('\\', '\\\\') }})
{%- endmacro %}
