{#-
    A mean of money, `amount_sum` / `count`, as a person works it out by hand: the sum is
    an exact DECIMAL (the amounts as landed, or converted once per order), the quotient
    is rounded to 9 decimals and published as the DOUBLE nearest to that decimal
    (89.55 / 3 = 29.85, where the quotient of the sum as a DOUBLE is 29.849999999999998).
    9 decimals: the precision of mapped numbers (src_number), far below any currency's
    minor unit. NULL when `count` is 0.
-#}
{% macro money_mean(amount_sum, count) -%}
    cast(round(
        cast({{ amount_sum }} as decimal(38, 9)) / nullif({{ count }}, 0), 9
    ) as double)
{%- endmacro %}
