-- The purchase funnel page_view -> product_view -> add_to_cart -> checkout_start ->
-- purchase over web sessions, overall and by device_type and utm_source (all_time).
-- A session enters step k when it has the events of steps 1..k (order within the session
-- is not checked); drop-off at step k = sessions that entered the step before but not k.
-- A step whose event type is in no session at all has no input (serving contract: a KPI
-- whose inputs are absent is published NULL, never 0): its row stays, with entries,
-- drop-offs and rates NULL, and it blocks no later step (an export without page_view,
-- e.g. OTTO's clicks, carts and orders, funnels from product_view on; before, every
-- step showed 0 sessions).
with web_sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

-- which steps have input: an event type some session has
present_steps as (
    select
        coalesce(bool_or(has_page_view), false) as has_step_1,
        coalesce(bool_or(has_product_view), false) as has_step_2,
        coalesce(bool_or(has_add_to_cart), false) as has_step_3,
        coalesce(bool_or(has_checkout_start), false) as has_step_4,
        coalesce(bool_or(has_purchase), false) as has_step_5
    from web_sessions
),

-- a session passes a step it has, and a step without input
session_passes as (
    select
        web_sessions.session_id,
        web_sessions.device_type,
        web_sessions.utm_source,
        coalesce(web_sessions.has_page_view, false) or not present_steps.has_step_1
            as passes_step_1,
        coalesce(web_sessions.has_product_view, false) or not present_steps.has_step_2
            as passes_step_2,
        coalesce(web_sessions.has_add_to_cart, false) or not present_steps.has_step_3
            as passes_step_3,
        coalesce(web_sessions.has_checkout_start, false) or not present_steps.has_step_4
            as passes_step_4,
        coalesce(web_sessions.has_purchase, false) or not present_steps.has_step_5
            as passes_step_5
    from web_sessions
    cross join present_steps
),

-- reached_step_k: passes steps 1..k (for a step without input: as the step before it,
-- so the next step's previous entries are those of the last step with input)
session_steps as (
    select
        session_id,
        device_type,
        utm_source,
        passes_step_1 as reached_step_1,
        passes_step_1 and passes_step_2 as reached_step_2,
        passes_step_1 and passes_step_2 and passes_step_3 as reached_step_3,
        passes_step_1 and passes_step_2 and passes_step_3 and passes_step_4
            as reached_step_4,
        passes_step_1 and passes_step_2 and passes_step_3 and passes_step_4 and passes_step_5
            as reached_step_5
    from session_passes
),

sliced as (
    select
        'overall' as dimension,
        'all' as dimension_value,
        session_steps.*
    from session_steps
    union all
    select
        'device_type' as dimension,
        {{ dimension_value('device_type') }} as dimension_value,
        session_steps.*
    from session_steps
    union all
    select
        'utm_source' as dimension,
        {{ dimension_value('utm_source') }} as dimension_value,
        session_steps.*
    from session_steps
),

entries as (
    select
        dimension,
        dimension_value,
        count(*) as sessions,
        count_if(reached_step_1) as step_1,
        count_if(reached_step_2) as step_2,
        count_if(reached_step_3) as step_3,
        count_if(reached_step_4) as step_4,
        count_if(reached_step_5) as step_5
    from sliced
    group by all
    -- no session at all: the overall rows still, with 0 sessions and no input
    union all
    select
        'overall' as dimension,
        'all' as dimension_value,
        0 as sessions,
        0 as step_1,
        0 as step_2,
        0 as step_3,
        0 as step_4,
        0 as step_5
    from present_steps
    where not exists (select 1 from web_sessions)
),

steps as (
    select
        entries.dimension,
        entries.dimension_value,
        entries.sessions,
        step.step_number,
        step.step,
        step.has_input,
        case when step.has_input then step.entries end as entries,
        case when step.has_input then step.previous_entries end as previous_entries
    from entries
    cross join present_steps
    cross join lateral (
        values
        (1, 'page_view', entries.step_1, entries.sessions, present_steps.has_step_1),
        (2, 'product_view', entries.step_2, entries.step_1, present_steps.has_step_2),
        (3, 'add_to_cart', entries.step_3, entries.step_2, present_steps.has_step_3),
        (4, 'checkout_start', entries.step_4, entries.step_3, present_steps.has_step_4),
        (5, 'purchase', entries.step_5, entries.step_4, present_steps.has_step_5)
    ) as step (step_number, step, entries, previous_entries, has_input)
),

final as (
    select
        cast(dimension as string) as dimension,
        cast(dimension_value as string) as dimension_value,
        cast(step_number as integer) as step_number,
        cast(step as string) as step,
        cast(sessions as bigint) as sessions,
        cast(has_input as boolean) as has_input,
        cast(entries as bigint) as entries,
        cast(previous_entries - entries as bigint) as drop_offs,
        cast(100.0 * cast(entries as double) / nullif(previous_entries, 0) as double)
            as step_conversion_rate,
        cast(
            100.0 * cast(previous_entries - entries as double) / nullif(previous_entries, 0)
            as double
        ) as drop_off_rate,
        cast(100.0 * cast(entries as double) / nullif(sessions, 0) as double) as share_of_sessions
    from steps
)

select * from final
