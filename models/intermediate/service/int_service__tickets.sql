-- A ticket belongs to the customer of its customer_id, else of its contact_email.
-- Durations in calendar hours and in business hours (int_service__ticket_business_hours),
-- service levels (int_service__ticket_slas) and the requester's wait from the status
-- history (int_service__ticket_status_spans).
with tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

business_hours as (
    select * from {{ ref('int_service__ticket_business_hours') }}
),

slas as (
    select * from {{ ref('int_service__ticket_slas') }}
),

status_spans as (
    select * from {{ ref('int_service__ticket_status_spans') }}
),

requester_waits as (
    -- as Zendesk and fivetran/dbt_zendesk define it: time in new, open and pending
    select
        ticket_id,
        -- whole microseconds added up, then hours: the same bits in any order
        cast(sum(duration_us) filter (where status in ('new', 'open', 'pending')) as double)
        / 3600000000.0
            as requester_wait_hours
    from status_spans
    group by ticket_id
),

customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
),

final as (
    select
        tickets.ticket_id,
        coalesce(by_customer_id.customer_key, by_email.customer_key) as customer_key,
        tickets.customer_id,
        tickets.channel,
        tickets.category,
        tickets.priority,
        tickets.status,
        tickets.opened_at,
        tickets.first_response_at,
        tickets.resolved_at,
        tickets.agent_replies,
        tickets.reopened_count,
        tickets.is_future_dated,
        {{ seconds_between('tickets.opened_at', 'tickets.first_response_at') }}
        / 3600 as first_response_hours,
        {{ seconds_between('tickets.opened_at', 'tickets.resolved_at') }}
        / 3600 as resolution_hours,
        business_hours.first_response_business_hours,
        business_hours.resolution_business_hours,
        coalesce(requester_waits.requester_wait_hours, 0) as requester_wait_hours,
        slas.first_response_target_business_hours,
        slas.first_response_sla_status,
        slas.resolution_target_business_hours,
        slas.resolution_sla_status,
        tickets.status in ('solved', 'closed') as is_resolved,
        case
            when tickets.status not in ('solved', 'closed') then null
            when tickets.agent_replies is null then null
            else tickets.agent_replies = 1 and coalesce(tickets.reopened_count, 0) = 0
        end as is_first_contact_resolution,
        case
            when tickets.status not in ('solved', 'closed') then null
            when tickets.agent_replies is null then null
            else tickets.agent_replies = 2 and coalesce(tickets.reopened_count, 0) = 0
        end as is_two_touch_resolution,
        case
            when tickets.status not in ('solved', 'closed') then null
            when tickets.reopened_count is null then null
            else tickets.reopened_count > 0
        end as is_reopened
    from tickets
    left join business_hours
        on tickets.ticket_id = business_hours.ticket_id
    left join slas
        on tickets.ticket_id = slas.ticket_id
    left join requester_waits
        on tickets.ticket_id = requester_waits.ticket_id
    {{ join_customer_key('crm_customer_id', 'tickets.customer_id_normalized', 'by_customer_id') }}
    {{ join_customer_key('email', 'tickets.contact_email', 'by_email') }}
)

select * from final
