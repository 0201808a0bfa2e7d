{% macro spark__local_to_utc(timestamp_local, time_zone) -%}
    to_utc_timestamp({{ timestamp_local }}, {{ time_zone }})
{%- endmacro %}
