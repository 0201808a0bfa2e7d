{#-
    A naive UTC timestamp (as every timestamp in the warehouse is stored) as the naive wall
    clock time of `time_zone` (an IANA name, e.g. 'Europe/Rome'), daylight saving included.
-#}
{% macro utc_to_local(timestamp_utc, time_zone) -%}
    {{ return(adapter.dispatch('utc_to_local', 'cx_warehouse')(timestamp_utc, time_zone)) }}
{%- endmacro %}
