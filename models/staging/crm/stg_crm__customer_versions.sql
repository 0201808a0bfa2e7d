{{ config(materialized='table') }}
-- A table, not a view: identifiers are normalised by Python functions (normalize_identifier,
-- normalize_phone) that only dbt's connections have.
-- Every distinct loaded version of every CRM customer record, normalised. The identity
-- graph reads it: an email or phone a record carried in an older version still proves who
-- that record belongs to.
with source as (
    select * from {{ source('crm', 'crm_customers') }}
),

renamed as (
    select
        {{ nullif_blank('customer_id') }} as customer_id,
        {{ normalize_identifier('customer_id') }} as customer_id_normalized,
        {{ normalize_identifier('email') }} as email,
        {{ normalize_phone('phone') }} as phone_e164,
        {{ nullif_blank('first_name') }} as first_name,
        {{ nullif_blank('last_name') }} as last_name,
        upper({{ nullif_blank('country') }}) as country,
        {{ nullif_blank('city') }} as city,
        {{ vocabulary_value('signup_channel', 'signup_channel') }} as signup_channel,
        created_at,
        updated_at,
        marketing_opt_in,
        _file,
        _line,
        _loaded_at,
        {{ is_future_dated(['created_at', 'updated_at']) }} as is_future_dated,
    from source
),

final as (
    select
        *,
        row_number() over (
            partition by customer_id_normalized
            order by updated_at desc, _file desc, _line desc
        ) as version_rank,
    from renamed
)

select * from final
