-- Web KPIs in the long shape of kpi_scorecard: conversion_rate, cart_abandonment_rate and
-- self_service_rate, all_time overall, by device_type and utm_source, and by month of the
-- session start. Sessions are int_web__customer_sessions (published as fct_web_sessions;
-- var session_timeout_minutes of inactivity end a session).
-- Self-service: a session with a help_center_view, no contact_form event and no ticket
-- opened by the same customer between the session start and
-- var self_service_ticket_window_hours after its end (macro sessions_followed_by_ticket,
-- which int_web__customer_sessions.is_self_served uses too).
with web_sessions as (
    select * from {{ ref('int_web__customer_sessions') }}
),

tickets as (
    select * from {{ ref('int_service__tickets') }}
),

sessions_followed_by_ticket as (
    {{ sessions_followed_by_ticket('web_sessions', 'tickets') }}
),

sessions as (
    select
        web_sessions.session_id,
        web_sessions.started_at,
        web_sessions.device_type,
        web_sessions.utm_source,
        coalesce(web_sessions.is_future_dated, false) as is_future_dated,
        coalesce(web_sessions.has_purchase, false) as has_purchase,
        coalesce(web_sessions.has_add_to_cart, false) as has_add_to_cart,
        coalesce(web_sessions.has_help_center_view, false) as has_help_center_view,
        coalesce(web_sessions.has_help_center_view, false)
        and not coalesce(web_sessions.has_contact_form, false)
        and sessions_followed_by_ticket.session_id is null as is_self_served
    from web_sessions
    left join sessions_followed_by_ticket
        on web_sessions.session_id = sessions_followed_by_ticket.session_id
),

sliced as (
    {{ kpi_slices('sessions', ['device_type', 'utm_source'], 'started_at') }}
),

aggregated as (
    select
        {{ kpi_slice_columns() }}
        count(*) as sessions,
        count_if(has_purchase) as purchase_sessions,
        count_if(has_add_to_cart) as cart_sessions,
        count_if(has_add_to_cart and not has_purchase) as abandoned_cart_sessions,
        count_if(has_help_center_view) as help_center_sessions,
        count_if(is_self_served) as self_served_sessions
    from sliced
    group by all
),

slices as (
    select
        *,
        100.0 * cast(purchase_sessions as double) / sessions as conversion_rate,
        100.0 * cast(abandoned_cart_sessions as double) / cart_sessions as cart_abandonment_rate,
        100.0 * cast(self_served_sessions as double) / help_center_sessions as self_service_rate
    from aggregated
),

final as (
    {{ kpi_rows('slices', [
        {'kpi': 'conversion_rate', 'value': 'conversion_rate', 'numerator': 'purchase_sessions',
         'denominator': 'sessions', 'sample_size': 'sessions'},
        {'kpi': 'cart_abandonment_rate', 'value': 'cart_abandonment_rate',
         'numerator': 'abandoned_cart_sessions', 'denominator': 'cart_sessions',
         'sample_size': 'cart_sessions'},
        {'kpi': 'self_service_rate', 'value': 'self_service_rate',
         'numerator': 'self_served_sessions', 'denominator': 'help_center_sessions',
         'sample_size': 'help_center_sessions'},
    ]) }}
)

select * from final
