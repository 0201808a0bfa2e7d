{% macro spark__iso_weekday(date) -%}
    extract(dayofweek_iso from {{ date }})
{%- endmacro %}
