{% macro spark__sorted_distinct_list(column) -%}
    array_sort(collect_set({{ column }}))
{%- endmacro %}
