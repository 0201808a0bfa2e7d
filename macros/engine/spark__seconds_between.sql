{#- a double, as on DuckDB: bigint / 1000000.0 would be a decimal on Spark -#}
{% macro spark__seconds_between(start_column, end_column) -%}
    (cast({{ epoch_us(end_column) }} - {{ epoch_us(start_column) }} as double) / 1000000)
{%- endmacro %}
