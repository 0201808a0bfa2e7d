{#-
    Half-width of the 95 % (normal approximation) confidence interval of a mean:
    1.96 × sample standard deviation / sqrt(n). NULL below two observations.
-#}
{% macro mean_margin_of_error(sample_stddev, n) -%}
    case
        when {{ n }} >= 2 then 1.96 * {{ sample_stddev }} / sqrt({{ n }})
    end
{%- endmacro %}
