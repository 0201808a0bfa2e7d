{% macro default__register_raw_sources() -%}
{%- endmacro %}
