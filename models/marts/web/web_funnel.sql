-- The purchase funnel page_view -> product_view -> add_to_cart -> checkout_start ->
-- purchase over web sessions, overall and by device_type and utm_source (all_time).
-- A session enters step k when it has the events of steps 1..k (order within the session
-- is not checked); drop-off at step k = sessions that entered step k - 1 but not step k.
with web_sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

session_steps as (
    select
        session_id,
        device_type,
        utm_source,
        coalesce(has_page_view, false) as reached_step_1,
        coalesce(has_page_view and has_product_view, false) as reached_step_2,
        coalesce(has_page_view and has_product_view and has_add_to_cart, false)
            as reached_step_3,
        coalesce(
            has_page_view and has_product_view and has_add_to_cart and has_checkout_start,
            false
        ) as reached_step_4,
        coalesce(
            has_page_view
            and has_product_view
            and has_add_to_cart
            and has_checkout_start
            and has_purchase,
            false
        ) as reached_step_5
    from web_sessions
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
),

steps as (
    select
        entries.dimension,
        entries.dimension_value,
        entries.sessions,
        step.step_number,
        step.step,
        step.entries,
        step.previous_entries
    from entries
    cross join lateral (
        values
        (1, 'page_view', entries.step_1, entries.sessions),
        (2, 'product_view', entries.step_2, entries.step_1),
        (3, 'add_to_cart', entries.step_3, entries.step_2),
        (4, 'checkout_start', entries.step_4, entries.step_3),
        (5, 'purchase', entries.step_5, entries.step_4)
    ) as step (step_number, step, entries, previous_entries)
),

final as (
    select
        cast(dimension as string) as dimension,
        cast(dimension_value as string) as dimension_value,
        cast(step_number as integer) as step_number,
        cast(step as string) as step,
        cast(sessions as bigint) as sessions,
        cast(entries as bigint) as entries,
        cast(previous_entries - entries as bigint) as drop_offs,
        cast(100.0 * entries / nullif(previous_entries, 0) as double) as step_conversion_rate,
        cast(100.0 * (previous_entries - entries) / nullif(previous_entries, 0) as double)
            as drop_off_rate,
        cast(100.0 * entries / nullif(sessions, 0) as double) as share_of_sessions
    from steps
)

select * from final
