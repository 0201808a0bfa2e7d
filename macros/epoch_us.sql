{#-
    Microseconds since 1970-01-01 00:00:00 of a (naive, UTC) timestamp, a bigint.
-#}
{% macro epoch_us(timestamp) -%}
    {{ return(adapter.dispatch('epoch_us', 'cx_warehouse')(timestamp)) }}
{%- endmacro %}
