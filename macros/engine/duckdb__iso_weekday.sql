{% macro duckdb__iso_weekday(date) -%}
    isodow({{ date }})
{%- endmacro %}
