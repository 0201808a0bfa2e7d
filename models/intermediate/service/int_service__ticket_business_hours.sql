-- Business hours per ticket (its latest version): from opened_at to the first response,
-- to the resolution and to as_of, counted on the ticket's schedule (its channel's rows of
-- service_schedules, else the `default` rows) less the holidays. The business time up to
-- an instant is the business time of every earlier interval plus the part of the interval
-- it falls in (an ASOF join on int_service__business_calendar); a duration is the
-- difference of two such instants, in whole microseconds, so it is exact and the same on
-- every run.
with tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

schedules as (
    select * from {{ ref('service_schedules') }}
),

scheduled_channels as (
    select distinct channel from schedules
),

business_calendar as (
    select * from {{ ref('int_service__business_calendar') }}
),

ticket_schedules as (
    select
        tickets.ticket_id,
        tickets.opened_at,
        tickets.first_response_at,
        tickets.resolved_at,
        coalesce(scheduled_channels.channel, 'default') as schedule_channel
    from tickets
    left join scheduled_channels
        on tickets.channel = scheduled_channels.channel
),

instants as (
    select
        ticket_id,
        schedule_channel,
        'opened' as instant,
        opened_at as instant_at
    from ticket_schedules
    union all
    select
        ticket_id,
        schedule_channel,
        'first_response' as instant,
        first_response_at as instant_at
    from ticket_schedules
    where first_response_at is not null
    union all
    select
        ticket_id,
        schedule_channel,
        'resolved' as instant,
        resolved_at as instant_at
    from ticket_schedules
    where resolved_at is not null
    union all
    select
        ticket_id,
        schedule_channel,
        'as_of' as instant,
        {{ as_of() }} as instant_at
    from ticket_schedules
),

business_clock as (
    select
        instants.ticket_id,
        instants.instant,
        coalesce(
            business_calendar.business_us_before
            + least(
                greatest(
                    {{ epoch_us("instants.instant_at") }}
                    - {{ epoch_us("business_calendar.opens_at") }},
                    0
                ),
                business_calendar.business_us
            ),
            0
        ) as business_us_until
    from instants
    {{ asof_left_join(
        'business_calendar',
        'instants.schedule_channel = business_calendar.schedule_channel',
        'instants.instant_at',
        'business_calendar.opens_at'
    ) }}
),

per_ticket as (
    select
        ticket_id,
        max(business_us_until) filter (where instant = 'opened') as opened_us,
        max(business_us_until) filter (where instant = 'first_response') as first_response_us,
        max(business_us_until) filter (where instant = 'resolved') as resolved_us,
        max(business_us_until) filter (where instant = 'as_of') as as_of_us
    from business_clock
    group by ticket_id
),

final as (
    select
        ticket_schedules.ticket_id,
        ticket_schedules.schedule_channel,
        cast(per_ticket.first_response_us - per_ticket.opened_us as double) / 3600000000.0
            as first_response_business_hours,
        cast(per_ticket.resolved_us - per_ticket.opened_us as double) / 3600000000.0
            as resolution_business_hours,
        cast(greatest(per_ticket.as_of_us - per_ticket.opened_us, 0) as double)
        / 3600000000.0
            as business_hours_to_as_of
    from ticket_schedules
    inner join per_ticket
        on ticket_schedules.ticket_id = per_ticket.ticket_id
)

select * from final
