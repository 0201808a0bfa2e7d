{% macro default__seconds_between(start_column, end_column) -%}
    ({{ dbt.datediff(start_column, end_column, 'microsecond') }} / 1000000.0)
{%- endmacro %}
