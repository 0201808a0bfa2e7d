{#-
    The inverse of reporting_time: a wall-clock timestamp of the reporting time zone
    (var('reporting_time_zone')) as the UTC timestamp the warehouse compares with, e.g. the
    end of a reporting month (Europe/Rome: 2024-07-01 00:00 is 2024-06-30 22:00 UTC). In
    UTC the column is returned as it is.
-#}
{% macro utc_from_reporting_time(local_column) -%}
    {%- set time_zone = var('reporting_time_zone') -%}
    {{ local_column if time_zone | upper == 'UTC' else local_to_utc(local_column, "'" ~ time_zone ~ "'") }}
{%- endmacro %}
