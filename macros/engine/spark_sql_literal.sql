{#-
    A seed cell as a Spark SQL literal: NULL for an empty cell, true / false, a number as
    written, anything else (text, dates) as a string with backslashes and apostrophes
    escaped (Spark's string literals read a backslash as an escape).
-#}
{% macro spark_sql_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is sameas true or value is sameas false -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value }}
    {%- else -%}
        '{{ (value | string) | replace('\\', '\\\\') | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
