-- A table (dbt_project.yml), not a view: picking the latest version is a window over
-- every version, which each model and test reading a view would compute again.
-- The latest version of each ticket (by updated_at, a missing updated_at sorting lowest;
-- ties: the later file, then the later line).
with ticket_versions as (
    select * from {{ ref('stg_crm__ticket_versions') }}
),

final as (
    select
        ticket_id,
        customer_id,
        customer_id_normalized,
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
        is_future_dated
    from ticket_versions
    where version_rank = 1
)

select * from final
