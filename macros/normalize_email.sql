{#- An email as the identity graph compares it: trimmed, lower-cased; empty means NULL. -#}
{% macro normalize_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}
