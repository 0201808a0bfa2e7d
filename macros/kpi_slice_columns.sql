{#-
    The four columns that name a slice in the KPI models (grain, period_start, dimension,
    dimension_value, as macro kpi_slices adds them), each followed by a comma; with
    cast=true cast to the serving contract's types (varchar, date, varchar, varchar).
-#}
{% macro kpi_slice_columns(cast=false) -%}
    {%- if cast -%}
        cast(grain as string) as grain,
        cast(period_start as date) as period_start,
        cast(dimension as string) as dimension,
        cast(dimension_value as string) as dimension_value,
    {%- else -%}
        grain,
        period_start,
        dimension,
        dimension_value,
    {%- endif %}
{%- endmacro %}
