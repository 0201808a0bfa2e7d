{#-
    The `fraction` quantile of `column` with linear interpolation between the two nearest
    values (an aggregate; a FILTER clause may follow).
-#}
{% macro quantile_cont(column, fraction) -%}
    {{ return(adapter.dispatch('quantile_cont', 'cx_warehouse')(column, fraction)) }}
{%- endmacro %}
