{% macro duckdb__epoch_us(timestamp) -%}
    epoch_us({{ timestamp }})
{%- endmacro %}
