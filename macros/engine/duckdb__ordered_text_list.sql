{% macro duckdb__ordered_text_list(value, sort_key, separator) -%}
    array_to_string(
        list_transform(
            list_sort(list({ 'n': {{ sort_key }}, 'value': {{ value }} })),
            lambda entry: struct_extract(entry, 'value')
        ),
        {{ separator }}
    )
{%- endmacro %}
