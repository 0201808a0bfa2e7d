-- A table (dbt_project.yml), not a view: picking the latest version is a window over
-- every version, which each model and test reading a view would compute again.
-- The latest version of each CRM customer record (by updated_at; ties: the later file,
-- then the later line).
with customer_versions as (
    select * from {{ ref('stg_crm__customer_versions') }}
),

final as (
    select
        customer_id,
        customer_id_normalized,
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
        is_future_dated,
        _file,
        _line
    from customer_versions
    where version_rank = 1
)

select * from final
