-- Each ticket against its service-level targets (service_sla_targets, business hours):
-- the target of its priority on its own channel, else on `default`. A response or
-- resolution counts as `met` within the target and `breached` after it (a ticket solved
-- without a recorded reply counts its resolution as its first response); a ticket still
-- waiting is `open_past_target` once the business time from opened_at to as_of exceeds
-- the target, else `open_within_target`. No priority or no target row: NULL.
with tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

business_hours as (
    select * from {{ ref('int_service__ticket_business_hours') }}
),

sla_targets as (
    select * from {{ ref('service_sla_targets') }}
),

sla_metrics as (
    select distinct sla_metric from sla_targets
),

ticket_targets as (
    select
        tickets.ticket_id,
        sla_metrics.sla_metric,
        coalesce(on_channel.target_business_hours, on_default.target_business_hours)
            as target_business_hours
    from tickets
    cross join sla_metrics
    left join sla_targets as on_channel
        on
            sla_metrics.sla_metric = on_channel.sla_metric
            and tickets.priority = on_channel.priority
            and tickets.channel = on_channel.channel
    left join sla_targets as on_default
        on
            sla_metrics.sla_metric = on_default.sla_metric
            and tickets.priority = on_default.priority
            and on_default.channel = 'default'
),

measured as (
    select
        tickets.ticket_id,
        first_response.target_business_hours as first_response_target_business_hours,
        resolution.target_business_hours as resolution_target_business_hours,
        -- a ticket solved without a recorded reply stopped waiting when it was solved
        coalesce(
            business_hours.first_response_business_hours,
            case
                when tickets.status in ('solved', 'closed')
                    then business_hours.resolution_business_hours
            end
        ) as first_response_business_hours,
        case
            when tickets.status in ('solved', 'closed')
                then business_hours.resolution_business_hours
        end as resolution_business_hours,
        business_hours.business_hours_to_as_of
    from tickets
    inner join business_hours
        on tickets.ticket_id = business_hours.ticket_id
    left join ticket_targets as first_response
        on
            tickets.ticket_id = first_response.ticket_id
            and first_response.sla_metric = 'first_response'
    left join ticket_targets as resolution
        on
            tickets.ticket_id = resolution.ticket_id
            and resolution.sla_metric = 'resolution'
),

final as (
    select
        ticket_id,
        first_response_target_business_hours,
        {{ sla_status(
            'first_response_business_hours',
            'business_hours_to_as_of',
            'first_response_target_business_hours'
        ) }} as first_response_sla_status,
        resolution_target_business_hours,
        {{ sla_status(
            'resolution_business_hours',
            'business_hours_to_as_of',
            'resolution_target_business_hours'
        ) }} as resolution_sla_status
    from measured
)

select * from final
