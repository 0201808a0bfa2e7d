{% macro spark__ordered_text_list(value, sort_key, separator) -%}
    array_join(
        transform(
            array_sort(collect_list(struct({{ sort_key }} as n, {{ value }} as value))),
            entry -> entry.value
        ),
        {{ separator }}
    )
{%- endmacro %}
