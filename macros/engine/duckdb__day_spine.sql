{% macro duckdb__day_spine(first_date, last_date, column_name) -%}
    range({{ first_date }}, {{ last_date }}, interval 1 day) as days ({{ column_name }})
{%- endmacro %}
