{#-
    A mean of money, `amount_sum` / `count`, as a person works it out by hand: the exact
    DECIMAL sum (the amounts as landed, decimal(38,18), or converted once per order)
    divided by the count, published as the DOUBLE nearest to the exact quotient
    (89.55 / 3 = 29.85, where the quotient of the sum as a DOUBLE is 29.849999999999998;
    197.8133333333333302 / 6 = 32.96888888888889). NULL when `count` is 0.
    Dispatched per engine: DuckDB divides a DECIMAL as a DOUBLE (two roundings), Spark
    divides it as a DECIMAL.
-#}
{% macro money_mean(amount_sum, count) -%}
    {{ return(adapter.dispatch('money_mean', 'cx_warehouse')(amount_sum, count)) }}
{%- endmacro %}
