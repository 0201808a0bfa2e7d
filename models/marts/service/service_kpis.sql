-- Customer-service performance per slice (all_time overall, by channel and priority, and
-- by month opened): the measures of int_kpi__service_slices, where each is computed once
-- (the same slices give kpi_scorecard its service KPIs), in the serving contract's columns.
with service_slices as (
    select * from {{ ref('int_kpi__service_slices') }}
),

final as (
    select
        {{ kpi_slice_columns(cast=true) }}
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
        cast(first_contact_resolution_rate as double) as first_contact_resolution_rate,
        cast(first_response_business_hours_p50 as double) as first_response_business_hours_p50,
        cast(first_response_business_hours_p90 as double) as first_response_business_hours_p90,
        cast(resolution_business_hours_p50 as double) as resolution_business_hours_p50,
        cast(resolution_business_hours_p90 as double) as resolution_business_hours_p90,
        cast(sla_breach_rate as double) as sla_breach_rate,
        cast(resolution_sla_breach_rate as double) as resolution_sla_breach_rate,
        cast(reopen_rate as double) as reopen_rate,
        cast(two_touch_resolution_rate as double) as two_touch_resolution_rate
    from service_slices
)

select * from final
