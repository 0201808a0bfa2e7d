{#-
    Half-width of the 95 % (normal approximation) confidence interval of a share expressed
    in percent: 1.96 × 100 × sqrt(p (1 − p) / n), p = successes / n.
-#}
{% macro proportion_margin_of_error(successes, trials) -%}
    case
        when {{ trials }} > 0 then
            1.96 * 100 * sqrt(
                ({{ successes }} / cast({{ trials }} as double))
                * (1 - {{ successes }} / cast({{ trials }} as double))
                / {{ trials }}
            )
    end
{%- endmacro %}
