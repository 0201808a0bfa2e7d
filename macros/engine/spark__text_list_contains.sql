{% macro spark__text_list_contains(text, separator, value) -%}
    array_contains(split({{ text }}, {{ separator }}), {{ value }})
{%- endmacro %}
