{#- Use the custom schema name as is (staging, intermediate, marts, pii, seeds), not
    <target_schema>_<custom>: the serving contract names the schema `marts`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
