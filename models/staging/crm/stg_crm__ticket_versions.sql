-- A table (dbt_project.yml), not a view: identifiers are normalised by a Python function
-- (normalize_identifier) that only dbt's connections have.
-- Every loaded version of every customer-service ticket, normalised. The status history
-- (time in each status, the daily backlog) reads every version; stg_crm__tickets keeps
-- the latest.
with source as (
    select * from {{ source('crm', 'crm_tickets') }}
),

renamed as (
    select
        {{ nullif_blank('ticket_id') }} as ticket_id,
        {{ nullif_blank('customer_id') }} as customer_id,
        {{ normalize_identifier('customer_id') }} as customer_id_normalized,
        {{ normalize_identifier('contact_email') }} as contact_email,
        {{ vocabulary_value('ticket_channel', 'channel') }} as channel,
        lower({{ nullif_blank('category') }}) as category,
        {{ vocabulary_value('ticket_priority', 'priority') }} as priority,
        {{ vocabulary_value('ticket_status', 'status') }} as status,
        opened_at,
        first_response_at,
        resolved_at,
        agent_replies,
        reopened_count,
        updated_at,
        {{ is_future_dated(['opened_at', 'first_response_at', 'resolved_at', 'updated_at']) }}
            as is_future_dated,
        _file,
        _line
    from source
),

final as (
    select
        *,
        row_number() over (
            partition by ticket_id
            order by updated_at desc nulls last, _file desc, _line desc
        ) as version_rank
    from renamed
)

select * from final
