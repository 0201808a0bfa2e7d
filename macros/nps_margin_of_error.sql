{#-
    Half-width of the 95 % confidence interval of an NPS (0-100 scale), from the counts of
    promoters, detractors and answers: 1.96 × 100 × sqrt((p + d − (p − d)²) / n).
-#}
{% macro nps_margin_of_error(promoters, detractors, answers) -%}
    case
        when {{ answers }} > 0 then
            1.96 * 100 * sqrt(
                (
                    ({{ promoters }} + {{ detractors }}) / cast({{ answers }} as double)
                    - power(({{ promoters }} - {{ detractors }}) / cast({{ answers }} as double), 2)
                ) / {{ answers }}
            )
    end
{%- endmacro %}
