{% macro spark__ordering_key(columns) -%}
    struct({{ columns | join(', ') }})
{%- endmacro %}
