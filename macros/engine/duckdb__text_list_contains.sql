{% macro duckdb__text_list_contains(text, separator, value) -%}
    list_contains(string_split({{ text }}, {{ separator }}), {{ value }})
{%- endmacro %}
