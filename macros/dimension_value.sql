{#- A breakdown value as shown in kpi_scorecard and the breakdown marts: NULL and blank become '(unknown)'. -#}
{% macro dimension_value(column) -%}
    coalesce(nullif(trim(cast({{ column }} as string)), ''), '(unknown)')
{%- endmacro %}
