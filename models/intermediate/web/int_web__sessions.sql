{%- set event_types = [
    'page_view', 'product_view', 'search', 'add_to_cart', 'checkout_start', 'purchase',
    'signup', 'login', 'help_center_view', 'contact_form',
] -%}
-- Web sessions: one anonymous_id's events with no gap over var('session_timeout_minutes')
-- minutes. Only window functions over (anonymous_id, event_at), so the logic also works on
-- a slice of recent events (incremental). session_id is derived from the anonymous_id and
-- the session's first event, so it does not change when later events arrive.
with events as (
    select * from {{ ref('stg_web__events') }}
),

gaps as (
    select
        *,
        lag(event_at) over (
            partition by anonymous_id
            order by event_at, event_id
        ) as previous_event_at,
    from events
),

session_starts as (
    select
        *,
        case
            when previous_event_at is null then 1
            when
                {{ dbt.datediff('previous_event_at', 'event_at', 'second') }}
                > {{ var('session_timeout_minutes') }} * 60
                then 1
            else 0
        end as is_session_start,
    from gaps
),

numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by anonymous_id
            order by event_at, event_id
            rows between unbounded preceding and current row
        ) as session_number,
    from session_starts
),

sessions as (
    select
        anonymous_id,
        session_number,
        arg_min(event_id, (event_at, event_id)) as first_event_id,
        min(event_at) as started_at,
        max(event_at) as ended_at,
        count(*) as events_count,
        arg_min(device_type, (event_at, event_id)) as device_type,
        arg_min(utm_source, (event_at, event_id)) filter (
            where utm_source is not null
        ) as utm_source,
        arg_min(utm_medium, (event_at, event_id)) filter (
            where utm_medium is not null
        ) as utm_medium,
        arg_min(utm_campaign, (event_at, event_id)) filter (
            where utm_campaign is not null
        ) as utm_campaign,
        arg_min(page_url, (event_at, event_id)) as landing_page_url,
        {%- for event_type in event_types %}
        bool_or(event_type = '{{ event_type }}') as has_{{ event_type }},
        {%- endfor %}
    from numbered
    group by anonymous_id, session_number
),

final as (
    select
        'ses_' || left(sha256(anonymous_id || '|' || first_event_id), 16) as session_id,
        anonymous_id,
        started_at,
        ended_at,
        events_count,
        device_type,
        utm_source,
        utm_medium,
        utm_campaign,
        landing_page_url,
        {%- for event_type in event_types %}
        has_{{ event_type }},
        {%- endfor %}
    from sessions
)

select * from final
