{%- set time_zone = "'" ~ var('service_time_zone') ~ "'" %}
-- The daily backlog: for every day in the service time zone, from the first ticket to
-- as_of, and every channel and priority that has tickets, how many tickets were open
-- (new, open or pending) at the day's end, how many were opened, and how many were solved
-- or closed (a change into solved/closed from another status) during the day. From the
-- status history, so a reopened ticket is back in the backlog from its reopening.
-- A span of open statuses [started_at, ended_at) is open at a day's end (the next local
-- midnight) when it started at or before it and ended after it: it adds one from the
-- local day of started_at - 1 microsecond (a span starting at midnight counts on the day
-- before) up to, not including, the local day of ended_at - 1 microsecond. Running sums
-- of those steps give the backlog with no row per ticket and day.
with tickets as (
    select * from {{ ref('fct_tickets') }}
),

status_spans as (
    select * from {{ ref('int_service__ticket_status_spans') }}
),

ticket_dimensions as (
    select
        ticket_id,
        {{ dimension_value('channel') }} as channel,
        {{ dimension_value('priority') }} as priority,
        opened_at
    from tickets
),

open_spans as (
    select
        ticket_dimensions.channel,
        ticket_dimensions.priority,
        status_spans.started_at,
        case when not status_spans.is_current then status_spans.ended_at end as ended_at
    from status_spans
    inner join ticket_dimensions
        on status_spans.ticket_id = ticket_dimensions.ticket_id
    where status_spans.status in ('new', 'open', 'pending')
),

backlog_steps as (
    select
        channel,
        priority,
        cast({{ utc_to_local('started_at - interval 1 microsecond', time_zone) }} as date)
            as step_date,
        1 as backlog_step
    from open_spans
    union all
    select
        channel,
        priority,
        cast({{ utc_to_local('ended_at - interval 1 microsecond', time_zone) }} as date)
            as step_date,
        -1 as backlog_step
    from open_spans
    where ended_at is not null
),

daily_events as (
    select
        channel,
        priority,
        cast({{ utc_to_local('opened_at', time_zone) }} as date) as event_date,
        1 as opened,
        0 as solved
    from ticket_dimensions
    union all
    select
        ticket_dimensions.channel,
        ticket_dimensions.priority,
        cast({{ utc_to_local('status_spans.started_at', time_zone) }} as date) as event_date,
        0 as opened,
        1 as solved
    from status_spans
    inner join ticket_dimensions
        on status_spans.ticket_id = ticket_dimensions.ticket_id
    where
        status_spans.status in ('solved', 'closed')
        and coalesce(status_spans.previous_status, 'new') not in ('solved', 'closed')
),

bounds as (
    select
        min(cast({{ utc_to_local('opened_at', time_zone) }} as date)) as first_date,
        cast({{ utc_to_local(as_of(), time_zone) }} as date) as last_date
    from ticket_dimensions
),

days as (
    select
        {{ days_from_to('first_date', 'last_date') }}
            as backlog_date
    from bounds
),

slices as (
    select distinct
        channel,
        priority
    from ticket_dimensions
),

steps_per_day as (
    -- a span that opened before the first day is in the backlog from the first day on
    select
        backlog_steps.channel,
        backlog_steps.priority,
        greatest(backlog_steps.step_date, bounds.first_date) as step_date,
        sum(backlog_steps.backlog_step) as backlog_change
    from backlog_steps
    cross join bounds
    group by all
),

events_per_day as (
    select
        channel,
        priority,
        event_date,
        sum(opened) as tickets_opened,
        sum(solved) as tickets_solved
    from daily_events
    group by all
),

daily as (
    select
        days.backlog_date,
        slices.channel,
        slices.priority,
        coalesce(events_per_day.tickets_opened, 0) as tickets_opened,
        coalesce(events_per_day.tickets_solved, 0) as tickets_solved,
        coalesce(steps_per_day.backlog_change, 0) as backlog_change
    from days
    cross join slices
    left join steps_per_day
        on
            slices.channel = steps_per_day.channel
            and slices.priority = steps_per_day.priority
            and days.backlog_date = steps_per_day.step_date
    left join events_per_day
        on
            slices.channel = events_per_day.channel
            and slices.priority = events_per_day.priority
            and days.backlog_date = events_per_day.event_date
),

final as (
    select
        cast(backlog_date as date) as backlog_date,
        cast(channel as string) as channel,
        cast(priority as string) as priority,
        cast(sum(backlog_change) over (
            partition by channel, priority
            order by backlog_date
            rows between unbounded preceding and current row
        ) as bigint) as open_tickets,
        cast(tickets_opened as bigint) as tickets_opened,
        cast(tickets_solved as bigint) as tickets_solved
    from daily
)

select * from final
