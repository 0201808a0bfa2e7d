{% macro spark__incremental_materialization() -%}
    {{- 'table' -}}
{%- endmacro %}
