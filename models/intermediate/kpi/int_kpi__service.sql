-- Service KPIs in the long shape of kpi_scorecard: first_response_time_hours and
-- resolution_time_hours (medians with linear interpolation, as DuckDB `median`) and
-- first_contact_resolution_rate; the same medians in business hours; the first-response
-- and resolution SLA breach rates; reopen_rate and two_touch_resolution_rate; all_time
-- overall, by channel and priority, and by month the ticket was opened. Tickets are the
-- latest version of each ticket_id.
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
        median(first_response_hours) as first_response_hours_median,
        count(first_response_hours) as responded_tickets,
        median(resolution_hours) filter (where is_resolved) as resolution_hours_median,
        count(resolution_hours) filter (where is_resolved) as resolved_tickets_with_time,
        count_if(
            is_resolved
            and agent_replies = 1
            and coalesce(reopened_count, 0) = 0
        ) as first_contact_resolutions,
        count_if(is_resolved and agent_replies is not null) as resolved_tickets_with_replies,
        median(first_response_business_hours) as first_response_business_hours_median,
        count(first_response_business_hours) as responded_tickets_business,
        median(resolution_business_hours) filter (where is_resolved)
            as resolution_business_hours_median,
        count(resolution_business_hours) filter (where is_resolved)
            as resolved_tickets_with_business_time,
        count_if(first_response_sla_status in ('breached', 'open_past_target'))
            as first_response_sla_breaches,
        count(first_response_sla_status) as tickets_with_first_response_target,
        count_if(resolution_sla_status in ('breached', 'open_past_target'))
            as resolution_sla_breaches,
        count(resolution_sla_status) as tickets_with_resolution_target,
        count_if(is_reopened) as reopened_tickets,
        count(is_reopened) as resolved_tickets_with_reopen_count,
        count_if(is_two_touch_resolution) as two_touch_resolutions,
        count(is_two_touch_resolution) as two_touch_resolution_base
    from sliced
    group by all
),

unpivoted as (
    select
        'first_response_time_hours' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        first_response_hours_median as value,
        null as numerator,
        null as denominator,
        responded_tickets as sample_size
    from aggregated
    where responded_tickets > 0
    union all
    select
        'resolution_time_hours' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        resolution_hours_median as value,
        null as numerator,
        null as denominator,
        resolved_tickets_with_time as sample_size
    from aggregated
    where resolved_tickets_with_time > 0
    union all
    select
        'first_contact_resolution_rate' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        100.0 * first_contact_resolutions / resolved_tickets_with_replies as value,
        first_contact_resolutions as numerator,
        resolved_tickets_with_replies as denominator,
        resolved_tickets_with_replies as sample_size
    from aggregated
    where resolved_tickets_with_replies > 0
    union all
    select
        'first_response_time_business_hours' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        first_response_business_hours_median as value,
        null as numerator,
        null as denominator,
        responded_tickets_business as sample_size
    from aggregated
    where responded_tickets_business > 0
    union all
    select
        'resolution_time_business_hours' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        resolution_business_hours_median as value,
        null as numerator,
        null as denominator,
        resolved_tickets_with_business_time as sample_size
    from aggregated
    where resolved_tickets_with_business_time > 0
    union all
    select
        'sla_breach_rate' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        100.0 * first_response_sla_breaches / tickets_with_first_response_target as value,
        first_response_sla_breaches as numerator,
        tickets_with_first_response_target as denominator,
        tickets_with_first_response_target as sample_size
    from aggregated
    where tickets_with_first_response_target > 0
    union all
    select
        'resolution_sla_breach_rate' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        100.0 * resolution_sla_breaches / tickets_with_resolution_target as value,
        resolution_sla_breaches as numerator,
        tickets_with_resolution_target as denominator,
        tickets_with_resolution_target as sample_size
    from aggregated
    where tickets_with_resolution_target > 0
    union all
    select
        'reopen_rate' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        100.0 * reopened_tickets / resolved_tickets_with_reopen_count as value,
        reopened_tickets as numerator,
        resolved_tickets_with_reopen_count as denominator,
        resolved_tickets_with_reopen_count as sample_size
    from aggregated
    where resolved_tickets_with_reopen_count > 0
    union all
    select
        'two_touch_resolution_rate' as kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        100.0 * two_touch_resolutions / two_touch_resolution_base as value,
        two_touch_resolutions as numerator,
        two_touch_resolution_base as denominator,
        two_touch_resolution_base as sample_size
    from aggregated
    where two_touch_resolution_base > 0
),

final as (
    select
        kpi,
        grain,
        period_start,
        dimension,
        dimension_value,
        cast(value as double) as value,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(sample_size as bigint) as sample_size,
        cast(null as double) as margin_of_error_95
    from unpivoted
)

select * from final
