{#- Spark reads a backslash in a string literal as an escape: the pattern's are doubled -#}
{% macro spark__regexp_full_match(value, pattern) -%}
    regexp_like({{ value }}, concat('^(?:', {{ pattern | replace('\\', '\\\\') }}, ')$'))
{%- endmacro %}
