{% macro duckdb__local_to_utc(timestamp_local, time_zone) -%}
    timezone('UTC', timezone({{ time_zone }}, {{ timestamp_local }}))
{%- endmacro %}
