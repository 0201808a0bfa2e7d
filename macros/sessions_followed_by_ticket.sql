{#-
    The session_ids of `sessions` (a CTE of web sessions with customer_key, started_at,
    ended_at, has_help_center_view) with a help_center_view after which the same customer
    opened a ticket of `tickets` (a CTE with customer_key, opened_at) between the session
    start and var self_service_ticket_window_hours (24) hours after its end: such a session
    is not self-served (self_service_rate, serving contract). A query, the body of a CTE.
-#}
{% macro sessions_followed_by_ticket(sessions, tickets) -%}
    select distinct {{ sessions }}.session_id
    from {{ sessions }}
    inner join {{ tickets }}
        on
            {{ sessions }}.customer_key = {{ tickets }}.customer_key
            and {{ sessions }}.started_at <= {{ tickets }}.opened_at
            and {{ dbt.dateadd(
                'hour', var('self_service_ticket_window_hours'), sessions ~ '.ended_at'
            ) }} >= {{ tickets }}.opened_at
    where {{ sessions }}.has_help_center_view
{%- endmacro %}
