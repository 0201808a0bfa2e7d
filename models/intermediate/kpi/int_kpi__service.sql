-- The service KPIs of seeds/kpis.csv in the long shape of kpi_scorecard, read from
-- int_kpi__service_slices, where each is computed (a reshape: first_response_time_hours
-- and resolution_time_hours are the p50 there, in hours and in business hours).
with service_slices as (
    select * from {{ ref('int_kpi__service_slices') }}
),

final as (
    {{ kpi_rows('service_slices', [
        {'kpi': 'first_response_time_hours', 'value': 'first_response_hours_p50',
         'sample_size': 'tickets_with_first_response'},
        {'kpi': 'resolution_time_hours', 'value': 'resolution_hours_p50',
         'sample_size': 'resolved_tickets_with_time'},
        {'kpi': 'first_contact_resolution_rate', 'value': 'first_contact_resolution_rate',
         'numerator': 'first_contact_resolutions', 'denominator': 'resolved_tickets_with_replies',
         'sample_size': 'resolved_tickets_with_replies'},
        {'kpi': 'first_response_time_business_hours',
         'value': 'first_response_business_hours_p50',
         'sample_size': 'tickets_with_first_response_business'},
        {'kpi': 'resolution_time_business_hours', 'value': 'resolution_business_hours_p50',
         'sample_size': 'resolved_tickets_with_business_time'},
        {'kpi': 'sla_breach_rate', 'value': 'sla_breach_rate',
         'numerator': 'first_response_sla_breaches',
         'denominator': 'tickets_with_first_response_target',
         'sample_size': 'tickets_with_first_response_target'},
        {'kpi': 'resolution_sla_breach_rate', 'value': 'resolution_sla_breach_rate',
         'numerator': 'resolution_sla_breaches', 'denominator': 'tickets_with_resolution_target',
         'sample_size': 'tickets_with_resolution_target'},
        {'kpi': 'reopen_rate', 'value': 'reopen_rate', 'numerator': 'reopened_tickets',
         'denominator': 'resolved_tickets_with_reopen_count',
         'sample_size': 'resolved_tickets_with_reopen_count'},
        {'kpi': 'two_touch_resolution_rate', 'value': 'two_touch_resolution_rate',
         'numerator': 'two_touch_resolutions', 'denominator': 'resolved_tickets_with_replies',
         'sample_size': 'resolved_tickets_with_replies'},
    ]) }}
)

select * from final
