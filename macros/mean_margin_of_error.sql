{#-
    Half-width of the 95 % (normal approximation) confidence interval of a mean:
    1.96 × sample standard deviation / sqrt(n). NULL below two observations.

    Takes the exact sums of an integer measure (sum, sum of squares, count) rather than
    stddev_samp: the variance n·Σx² − (Σx)² / n(n − 1) is then computed from integers, so
    it does not depend on how DuckDB splits the aggregation across threads and a rebuild
    on the same data gives bit-identical results.
-#}
{% macro mean_margin_of_error(total, total_of_squares, n) -%}
    case
        when {{ n }} >= 2 then 1.96 * sqrt(
            cast({{ n }} * {{ total_of_squares }} - {{ total }} * {{ total }} as double)
            / ({{ n }} * ({{ n }} - 1))
        ) / sqrt({{ n }})
    end
{%- endmacro %}
