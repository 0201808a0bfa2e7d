{% macro duckdb__ordering_key(columns) -%}
    ({{ columns | join(', ') }})
{%- endmacro %}
