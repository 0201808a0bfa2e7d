-- Customer-service measures per slice, each computed here once: all_time overall, by
-- channel and priority, and by month opened (reporting time zone). Volumes; first
-- response and resolution times, in hours and in business hours, as p50 (the median) and
-- p90 with linear interpolation; first contact resolution, SLA breach, reopen and
-- two-touch resolution rates. Tickets without a first response are counted, and left out
-- of the first response times. service_kpis publishes these rows; int_kpi__service gives
-- the KPIs of seeds/kpis.csv in the long shape of kpi_scorecard.
with tickets as (
    select * from {{ ref('int_service__tickets') }}
),

ticket_times as (
    select
        ticket_id,
        opened_at,
        channel,
        priority,
        is_future_dated,
        is_resolved,
        is_first_contact_resolution,
        is_two_touch_resolution,
        is_reopened,
        {{ seconds_between('opened_at', 'first_response_at') }} / 3600 as first_response_hours,
        {{ seconds_between('opened_at', 'resolved_at') }} / 3600 as resolution_hours,
        first_response_business_hours,
        resolution_business_hours,
        first_response_sla_status in ('breached', 'open_past_target')
            as is_first_response_sla_breach,
        resolution_sla_status in ('breached', 'open_past_target') as is_resolution_sla_breach
    from tickets
),

sliced as (
    {{ kpi_slices('ticket_times', ['channel', 'priority'], 'opened_at') }}
),

aggregated as (
    select
        {{ kpi_slice_columns() }}
        count(*) as tickets,
        count(first_response_hours) as tickets_with_first_response,
        quantile_cont(first_response_hours, 0.5) as first_response_hours_p50,
        quantile_cont(first_response_hours, 0.9) as first_response_hours_p90,
        count_if(is_resolved) as resolved_tickets,
        count(resolution_hours) filter (where is_resolved) as resolved_tickets_with_time,
        quantile_cont(resolution_hours, 0.5) filter (where is_resolved) as resolution_hours_p50,
        quantile_cont(resolution_hours, 0.9) filter (where is_resolved) as resolution_hours_p90,
        count_if(is_first_contact_resolution is true) as first_contact_resolutions,
        count(is_first_contact_resolution) as resolved_tickets_with_replies,
        count(first_response_business_hours) as tickets_with_first_response_business,
        quantile_cont(first_response_business_hours, 0.5) as first_response_business_hours_p50,
        quantile_cont(first_response_business_hours, 0.9) as first_response_business_hours_p90,
        count(resolution_business_hours) filter (where is_resolved)
            as resolved_tickets_with_business_time,
        quantile_cont(resolution_business_hours, 0.5) filter (where is_resolved)
            as resolution_business_hours_p50,
        quantile_cont(resolution_business_hours, 0.9) filter (where is_resolved)
            as resolution_business_hours_p90,
        count_if(is_first_response_sla_breach) as first_response_sla_breaches,
        count(is_first_response_sla_breach) as tickets_with_first_response_target,
        count_if(is_resolution_sla_breach) as resolution_sla_breaches,
        count(is_resolution_sla_breach) as tickets_with_resolution_target,
        count_if(is_reopened) as reopened_tickets,
        count(is_reopened) as resolved_tickets_with_reopen_count,
        count_if(is_two_touch_resolution) as two_touch_resolutions
    from sliced
    group by all
),

final as (
    select
        *,
        tickets - tickets_with_first_response as tickets_without_first_response,
        100.0 * cast(first_contact_resolutions as double) / nullif(resolved_tickets_with_replies, 0)
            as first_contact_resolution_rate,
        100.0 * cast(first_response_sla_breaches as double)
        / nullif(tickets_with_first_response_target, 0)
            as sla_breach_rate,
        100.0 * cast(resolution_sla_breaches as double) / nullif(tickets_with_resolution_target, 0)
            as resolution_sla_breach_rate,
        100.0 * cast(reopened_tickets as double) / nullif(resolved_tickets_with_reopen_count, 0)
            as reopen_rate,
        100.0 * cast(two_touch_resolutions as double) / nullif(resolved_tickets_with_replies, 0)
            as two_touch_resolution_rate
    from aggregated
)

select * from final
