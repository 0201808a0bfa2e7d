{#-
    ISO 8601 day of the week of `date`: 1 = Monday ... 7 = Sunday.
-#}
{% macro iso_weekday(date) -%}
    {{ return(adapter.dispatch('iso_weekday', 'cx_warehouse')(date)) }}
{%- endmacro %}
