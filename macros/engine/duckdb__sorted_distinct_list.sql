{% macro duckdb__sorted_distinct_list(column) -%}
    list(distinct {{ column }} order by {{ column }})
{%- endmacro %}
