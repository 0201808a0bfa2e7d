{#-
    Aggregate: the values of `value` (text) sorted by `sort_key` (then by value) and
    joined with `separator` (a SQL string literal). Not `string_agg(... order by ...)`:
    on DuckDB an ordered aggregate buffers every group's input outside its spilling hash
    aggregate, and ran out of memory in a small memory_limit (2 M groups, 150 MB).
-#}
{% macro ordered_text_list(value, sort_key, separator) -%}
    {{ return(adapter.dispatch('ordered_text_list', 'cx_warehouse')(value, sort_key, separator)) }}
{%- endmacro %}
