{#-
    A UTC timestamp (every timestamp of the warehouse) as the wall-clock time of the
    reporting time zone, var('reporting_time_zone') (an IANA name, default UTC): months,
    and dates of money conversion, are those of the shop's time zone. Europe/Rome:
    2024-05-31 22:30 UTC is 2024-06-01 00:30. In UTC the column is returned as it is.
-#}
{% macro reporting_time(utc_column) -%}
    {%- set time_zone = var('reporting_time_zone') -%}
    {{ utc_column if time_zone | upper == 'UTC' else utc_to_local(utc_column, "'" ~ time_zone ~ "'") }}
{%- endmacro %}
