{%- set time_zone = "'" ~ var('service_time_zone') ~ "'" %}
-- The service's business hours as intervals in UTC, one row per schedule and open day,
-- with the business time of every earlier interval of the same schedule added up
-- (business_us_before). The business time between two instants is then a difference of
-- two look-ups (see int_service__ticket_business_hours): no row per minute or hour.
-- Days run from the day before the first ticket to the day after as_of or the latest
-- ticket timestamp, in the service time zone; each day's hours are placed in that day's
-- offset, so daylight-saving changes are exact. Holidays of the calendar in force close
-- the whole day.
with schedules as (
    select * from {{ ref('service_schedules') }}
),

holidays as (
    select * from {{ ref('service_holidays') }}
    where calendar = '{{ var("service_holiday_calendar") }}'
),

ticket_versions as (
    select * from {{ ref('stg_crm__ticket_versions') }}
),

bounds as (
    select
        cast({{ utc_to_local('min(opened_at)', time_zone) }} as date) - 1 as first_date,
        cast({{ utc_to_local(
            'greatest(max(opened_at), max(first_response_at), max(resolved_at),'
            ~ ' max(updated_at), ' ~ as_of() ~ ')',
            time_zone
        ) }} as date) + 1 as last_date
    from ticket_versions
),

days as (
    select
        {{ days_from_to('first_date', 'last_date') }}
            as local_date
    from bounds
),

open_days as (
    select
        schedules.channel as schedule_channel,
        days.local_date,
        cast(days.local_date as timestamp) + cast(schedules.opens_at as interval)
            as opens_at_local,
        cast(days.local_date as timestamp) + cast(schedules.closes_at as interval)
            as closes_at_local
    from days
    inner join schedules
        on {{ iso_weekday('days.local_date') }} = schedules.iso_weekday
    anti join holidays
        on days.local_date = holidays.holiday_date
),

intervals as (
    select
        schedule_channel,
        local_date,
        {{ local_to_utc('opens_at_local', time_zone) }} as opens_at,
        {{ local_to_utc('closes_at_local', time_zone) }} as closes_at
    from open_days
    where closes_at_local > opens_at_local
),

final as (
    select
        schedule_channel,
        local_date,
        opens_at,
        closes_at,
        {{ epoch_us("closes_at") }} - {{ epoch_us("opens_at") }} as business_us,
        coalesce(
            sum({{ epoch_us("closes_at") }} - {{ epoch_us("opens_at") }}) over (
                partition by schedule_channel
                order by opens_at
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as business_us_before
    from intervals
)

select * from final
