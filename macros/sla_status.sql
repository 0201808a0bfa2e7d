{#-
    The state of one ticket against one service-level target, all in business hours:
    NULL without a target; `met` / `breached` once the measured duration is known (at or
    within the target is met); while it is not known, `open_past_target` when the time
    waited so far exceeds the target, else `open_within_target`.
-#}
{% macro sla_status(measured_hours, waited_hours, target_hours) -%}
    case
        when {{ target_hours }} is null then null
        when {{ measured_hours }} is not null
            then
                case
                    when {{ measured_hours }} <= {{ target_hours }} then 'met'
                    else 'breached'
                end
        when {{ waited_hours }} > {{ target_hours }} then 'open_past_target'
        else 'open_within_target'
    end
{%- endmacro %}
