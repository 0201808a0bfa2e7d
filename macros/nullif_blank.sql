{#- Trimmed text; an empty or blank string is NULL (landing contract: empty means NULL). -#}
{% macro nullif_blank(column) -%}
    nullif(trim({{ column }}), '')
{%- endmacro %}
