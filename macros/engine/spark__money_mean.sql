{#-
    Spark divides a decimal(38,18) by a count as a decimal(38,18) (rounded half up at
    1e-18) and casts it to the nearest DOUBLE (Java's BigDecimal.doubleValue).
-#}
{% macro spark__money_mean(amount_sum, count) -%}
    cast(cast({{ amount_sum }} as decimal(38, 18)) / nullif({{ count }}, 0) as double)
{%- endmacro %}
