{% macro spark__epoch_us(timestamp) -%}
    unix_micros({{ timestamp }})
{%- endmacro %}
