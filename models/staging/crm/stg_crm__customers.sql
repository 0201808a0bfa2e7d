-- The latest version of each CRM customer record (by updated_at; ties: the later file,
-- then the later line).
with customer_versions as (
    select * from {{ ref('stg_crm__customer_versions') }}
),

final as (
    select
        customer_id,
        email,
        phone_e164,
        first_name,
        last_name,
        country,
        city,
        signup_channel,
        created_at,
        updated_at,
        marketing_opt_in,
        _file,
        _line,
    from customer_versions
    where version_rank = 1
)

select * from final
