{#-
    The reporting timestamp `as_of` as a scalar SQL expression: the dbt var `as_of` when it
    is set, else the latest business timestamp in the loaded data. Both are resolved in one
    place, the model int_kpi__as_of, so every model (and every unit test) agrees on it.
-#}
{% macro as_of() -%}
    (select as_of_at from {{ ref('int_kpi__as_of') }})
{%- endmacro %}
