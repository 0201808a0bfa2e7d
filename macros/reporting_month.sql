{#-
    The first day (a date) of the month that holds the UTC timestamp `utc_column` in the
    reporting time zone (var('reporting_time_zone')): period_start of every monthly grain.
-#}
{% macro reporting_month(utc_column) -%}
    cast({{ dbt.date_trunc('month', reporting_time(utc_column)) }} as date)
{%- endmacro %}
