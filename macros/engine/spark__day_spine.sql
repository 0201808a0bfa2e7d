{% macro spark__day_spine(first_date, last_date, column_name) -%}
    (
        select explode(sequence({{ first_date }}, date_sub({{ last_date }}, 1), interval 1 day))
            as {{ column_name }}
    ) as days
{%- endmacro %}
