{{ config(materialized='table') }}
-- A table, not a view like the rest of staging: picking the latest version is a window
-- over every version, which each model and test reading a view would compute again.
-- The latest version of each ticket (by updated_at, a missing updated_at sorting lowest;
-- ties: the later file, then the later line).
with source as (
    select * from {{ source('crm', 'crm_tickets') }}
),

renamed as (
    select
        {{ nullif_blank('ticket_id') }} as ticket_id,
        {{ nullif_blank('customer_id') }} as customer_id,
        {{ normalize_email('contact_email') }} as contact_email,
        lower({{ nullif_blank('channel') }}) as channel,
        lower({{ nullif_blank('category') }}) as category,
        lower({{ nullif_blank('priority') }}) as priority,
        lower({{ nullif_blank('status') }}) as status,
        opened_at,
        first_response_at,
        resolved_at,
        agent_replies,
        reopened_count,
        updated_at,
        _file,
        _line,
    from source
),

latest as (
    select *
    from renamed
    qualify row_number() over (
        partition by ticket_id
        order by updated_at desc nulls last, _file desc, _line desc
    ) = 1
),

final as (
    select
        ticket_id,
        customer_id,
        contact_email,
        channel,
        category,
        priority,
        status,
        opened_at,
        first_response_at,
        resolved_at,
        agent_replies,
        reopened_count,
        updated_at,
    from latest
)

select * from final
