-- A table: the other models of this folder are kept incrementally per visitor
-- (dbt_project.yml); this one is recomputed from them.
{{ config(materialized='table') }}
-- A session belongs to the customer of its device (anonymous_id). A device that links no
-- one (shared by several customers, a kiosk: int_identity__rejected_identifiers) is a
-- visitor of its own, except for a session in which it showed exactly one customer (the
-- user_id logged in as, the email typed): that session is that customer's.
-- is_self_served (self_service_rate, serving contract): a session with a help_center_view,
-- no contact_form event and no ticket opened by the same customer between the session
-- start and 24 hours after its end.
with sessions as (
    select * from {{ ref('int_web__sessions') }}
),

all_customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

tickets as (
    select * from {{ ref('int_service__tickets') }}
),

customer_keys as (
    select * from all_customer_keys
    where identifier_type = 'anonymous_id'
),

unlinked_devices as (
    select identifier_value as anonymous_id
    from customer_keys
    where not is_linked
),

-- the customers the events of unlinked devices name
device_identifications as (
    select
        web_events.anonymous_id,
        web_events.event_at,
        coalesce(by_user_id.customer_key, by_email.customer_key) as customer_key
    from web_events
    semi join unlinked_devices
        on web_events.anonymous_id = unlinked_devices.anonymous_id
    {{ join_customer_key(
        'crm_customer_id', 'web_events.user_id', 'by_user_id', 'all_customer_keys'
    ) }}
    {{ join_customer_key('email', 'web_events.email', 'by_email', 'all_customer_keys') }}
    where web_events.user_id is not null or web_events.email is not null
),

identified_sessions as (
    select
        sessions.session_id,
        min(device_identifications.customer_key) as customer_key
    from sessions
    inner join device_identifications
        on
            sessions.anonymous_id = device_identifications.anonymous_id
            and device_identifications.event_at between sessions.started_at and sessions.ended_at
    where device_identifications.customer_key is not null
    group by sessions.session_id
    having count(distinct device_identifications.customer_key) = 1
),

-- serving contract: a session with an event dated more than var('future_tolerance_minutes')
-- after its batch was loaded is kept and flagged (a few events at most: the range join
-- below reads only them). Reads stg_web__events itself: a second reference to the
-- `web_events` CTE would make DuckDB materialise every event.
future_dated_events as (
    select
        anonymous_id,
        event_at
    from {{ ref('stg_web__events') }}
    where {{ is_future_dated(['event_at']) }}
),

future_dated_sessions as (
    select distinct sessions.session_id
    from sessions
    inner join future_dated_events
        on
            sessions.anonymous_id = future_dated_events.anonymous_id
            and future_dated_events.event_at between sessions.started_at and sessions.ended_at
),

linked_sessions as (
    select
        sessions.*,
        coalesce(identified_sessions.customer_key, customer_keys.customer_key) as customer_key
    from sessions
    left join customer_keys
        on sessions.anonymous_id = customer_keys.identifier_value
    left join identified_sessions
        on sessions.session_id = identified_sessions.session_id
),

sessions_followed_by_ticket as (
    {{ sessions_followed_by_ticket('linked_sessions', 'tickets') }}
),

final as (
    select
        linked_sessions.session_id,
        linked_sessions.anonymous_id,
        linked_sessions.customer_key,
        linked_sessions.started_at,
        linked_sessions.ended_at,
        linked_sessions.events_count,
        linked_sessions.device_type,
        linked_sessions.utm_source,
        linked_sessions.utm_medium,
        linked_sessions.utm_campaign,
        linked_sessions.landing_page_url,
        linked_sessions.has_page_view,
        linked_sessions.has_product_view,
        linked_sessions.has_search,
        linked_sessions.has_add_to_cart,
        linked_sessions.has_checkout_start,
        linked_sessions.has_purchase,
        linked_sessions.has_signup,
        linked_sessions.has_login,
        linked_sessions.has_help_center_view,
        linked_sessions.has_contact_form,
        coalesce(linked_sessions.has_help_center_view, false)
        and not coalesce(linked_sessions.has_contact_form, false)
        and sessions_followed_by_ticket.session_id is null as is_self_served,
        future_dated_sessions.session_id is not null as is_future_dated
    from linked_sessions
    left join sessions_followed_by_ticket
        on linked_sessions.session_id = sessions_followed_by_ticket.session_id
    left join future_dated_sessions
        on linked_sessions.session_id = future_dated_sessions.session_id
)

select * from final
