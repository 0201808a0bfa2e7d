{% macro default__incremental_materialization() -%}
    {{- 'incremental' -}}
{%- endmacro %}
