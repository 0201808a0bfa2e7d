{% macro spark__days_from_to(first_date, last_date) -%}
    explode(sequence(cast({{ first_date }} as date), cast({{ last_date }} as date), interval 1 day))
{%- endmacro %}
