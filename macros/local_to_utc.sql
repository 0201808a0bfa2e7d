{#-
    A naive wall clock time of `time_zone` (an IANA name, e.g. 'Europe/Rome') as the naive
    UTC timestamp the warehouse stores, daylight saving included (a time that does not
    exist locally, in the hour skipped in spring, is read with the offset before the change).
-#}
{% macro local_to_utc(timestamp_local, time_zone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'cx_warehouse')(timestamp_local, time_zone)) }}
{%- endmacro %}
