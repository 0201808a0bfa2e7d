-- A ticket belongs to the customer of its customer_id, else of its contact_email.
with tickets as (
    select * from {{ ref('stg_crm__tickets') }}
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
        {{ dbt.datediff('tickets.opened_at', 'tickets.first_response_at', 'second') }}
        / 3600.0 as first_response_hours,
        {{ dbt.datediff('tickets.opened_at', 'tickets.resolved_at', 'second') }}
        / 3600.0 as resolution_hours,
        tickets.status in ('solved', 'closed') as is_resolved,
        case
            when tickets.status not in ('solved', 'closed') then null
            when tickets.agent_replies is null then null
            else tickets.agent_replies = 1 and coalesce(tickets.reopened_count, 0) = 0
        end as is_first_contact_resolution,
    from tickets
    left join customer_keys as by_customer_id
        on
            by_customer_id.identifier_type = 'crm_customer_id'
            and tickets.customer_id = by_customer_id.identifier_value
    left join customer_keys as by_email
        on
            by_email.identifier_type = 'email'
            and tickets.contact_email = by_email.identifier_value
)

select * from final
