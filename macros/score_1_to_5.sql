{#-
    A 1-5 score from the relative position of a value (cume_dist: ties share a score, so
    the result is deterministic): 5 for the top fifth. `order_by` decides what is better,
    e.g. 'revenue' (higher is better) or 'days_since_last_order desc' (lower is better).
    Rows where `value` is NULL get NULL.
-#}
{% macro score_1_to_5(value, order_by) -%}
    case
        when {{ value }} is not null then
            cast(ceil(5 * cume_dist() over (
                partition by {{ value }} is null
                order by {{ order_by }}
            )) as integer)
    end
{%- endmacro %}
