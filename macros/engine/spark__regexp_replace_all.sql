{#- Spark reads a backslash in a string literal as an escape: the pattern's are doubled -#}
{% macro spark__regexp_replace_all(value, pattern, replacement) -%}
    regexp_replace({{ value }}, {{ pattern | replace('\\', '\\\\') }}, {{ replacement }})
{%- endmacro %}
