-- Customer-service performance per slice (all_time overall, by channel and priority, and
-- by month opened): volumes, first response and resolution times (p50 = median and p90,
-- linear interpolation) and first contact resolution. Tickets without a first response
-- are counted, and left out of the first response times.
with tickets as (
    select * from {{ ref('fct_tickets') }}
),

ticket_times as (
    select
        ticket_id,
        opened_at,
        channel,
        priority,
        status in ('solved', 'closed') as is_resolved,
        agent_replies,
        reopened_count,
        {{ seconds_between('opened_at', 'first_response_at') }} / 3600 as first_response_hours,
        {{ seconds_between('opened_at', 'resolved_at') }} / 3600 as resolution_hours,
        first_response_business_hours,
        resolution_business_hours,
        first_response_sla_status,
        resolution_sla_status,
        is_reopened,
        is_two_touch_resolution
    from tickets
),

sliced as (
    {{ kpi_slices('ticket_times', ['channel', 'priority'], 'opened_at') }}
),

aggregated as (
    select
        grain,
        period_start,
        dimension,
        dimension_value,
        count(*) as tickets,
        count(first_response_hours) as tickets_with_first_response,
        count(*) - count(first_response_hours) as tickets_without_first_response,
        {{ quantile_cont("first_response_hours", "0.5") }} as first_response_hours_p50,
        {{ quantile_cont("first_response_hours", "0.9") }} as first_response_hours_p90,
        count_if(is_resolved) as resolved_tickets,
        {{ quantile_cont("resolution_hours", "0.5") }} filter (where is_resolved)
            as resolution_hours_p50,
        {{ quantile_cont("resolution_hours", "0.9") }} filter (where is_resolved)
            as resolution_hours_p90,
        count_if(
            is_resolved
            and agent_replies = 1
            and coalesce(reopened_count, 0) = 0
        ) as first_contact_resolutions,
        count_if(is_resolved and agent_replies is not null) as resolved_tickets_with_replies,
        {{ quantile_cont("first_response_business_hours", "0.5") }}
            as first_response_business_hours_p50,
        {{ quantile_cont("first_response_business_hours", "0.9") }}
            as first_response_business_hours_p90,
        {{ quantile_cont("resolution_business_hours", "0.5") }} filter (where is_resolved)
            as resolution_business_hours_p50,
        {{ quantile_cont("resolution_business_hours", "0.9") }} filter (where is_resolved)
            as resolution_business_hours_p90,
        count_if(first_response_sla_status in ('breached', 'open_past_target'))
            as first_response_sla_breaches,
        count(first_response_sla_status) as tickets_with_first_response_target,
        count_if(resolution_sla_status in ('breached', 'open_past_target'))
            as resolution_sla_breaches,
        count(resolution_sla_status) as tickets_with_resolution_target,
        count_if(is_reopened) as reopened_tickets,
        count(is_reopened) as resolved_tickets_with_reopen_count,
        count_if(is_two_touch_resolution) as two_touch_resolutions
    from sliced
    group by all
),

final as (
    select
        cast(grain as string) as grain,
        cast(period_start as date) as period_start,
        cast(dimension as string) as dimension,
        cast(dimension_value as string) as dimension_value,
        cast(tickets as bigint) as tickets,
        cast(tickets_with_first_response as bigint) as tickets_with_first_response,
        cast(tickets_without_first_response as bigint) as tickets_without_first_response,
        cast(first_response_hours_p50 as double) as first_response_hours_p50,
        cast(first_response_hours_p90 as double) as first_response_hours_p90,
        cast(resolved_tickets as bigint) as resolved_tickets,
        cast(resolution_hours_p50 as double) as resolution_hours_p50,
        cast(resolution_hours_p90 as double) as resolution_hours_p90,
        cast(first_contact_resolutions as bigint) as first_contact_resolutions,
        cast(resolved_tickets_with_replies as bigint) as resolved_tickets_with_replies,
        cast(
            100.0 * first_contact_resolutions / nullif(resolved_tickets_with_replies, 0)
            as double
        ) as first_contact_resolution_rate,
        cast(first_response_business_hours_p50 as double) as first_response_business_hours_p50,
        cast(first_response_business_hours_p90 as double) as first_response_business_hours_p90,
        cast(resolution_business_hours_p50 as double) as resolution_business_hours_p50,
        cast(resolution_business_hours_p90 as double) as resolution_business_hours_p90,
        cast(
            100.0 * first_response_sla_breaches / nullif(tickets_with_first_response_target, 0)
            as double
        ) as sla_breach_rate,
        cast(
            100.0 * resolution_sla_breaches / nullif(tickets_with_resolution_target, 0)
            as double
        ) as resolution_sla_breach_rate,
        cast(
            100.0 * reopened_tickets / nullif(resolved_tickets_with_reopen_count, 0)
            as double
        ) as reopen_rate,
        cast(
            100.0 * two_touch_resolutions / nullif(resolved_tickets_with_replies, 0)
            as double
        ) as two_touch_resolution_rate
    from aggregated
)

select * from final
