-- A table (dbt_project.yml), not a view: identifiers are normalised by a Python function
-- (normalize_identifier) that only dbt's connections have. Phones come from
-- stg_crm__phone_numbers (each distinct text parsed once, by libphonenumber).
-- Every distinct loaded version of every CRM customer record, normalised. The identity
-- graph links a record through its latest version and keeps the older ones as history.
{%- set region = var('default_phone_region') | string %}
with source as (
    select * from {{ source('crm', 'crm_customers') }}
),

phone_numbers as (
    select * from {{ ref('stg_crm__phone_numbers') }}
    where default_region = {{ sql_string(region) }}
),

renamed as (
    select
        {{ nullif_blank('customer_id') }} as customer_id,
        {{ normalize_identifier('customer_id') }} as customer_id_normalized,
        {{ normalize_identifier('email') }} as email,
        phone,
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
        {{ is_future_dated(['created_at', 'updated_at']) }} as is_future_dated
    from source
),

with_phones as (
    select
        renamed.customer_id,
        renamed.customer_id_normalized,
        renamed.email,
        phone_numbers.phone_e164,
        renamed.first_name,
        renamed.last_name,
        renamed.country,
        renamed.city,
        renamed.signup_channel,
        renamed.created_at,
        renamed.updated_at,
        renamed.marketing_opt_in,
        renamed._file,
        renamed._line,
        renamed._loaded_at,
        renamed.is_future_dated
    from renamed
    left join phone_numbers
        on renamed.phone = phone_numbers.phone
),

final as (
    select
        *,
        row_number() over (
            partition by customer_id_normalized
            order by updated_at desc, _file desc, _line desc
        ) as version_rank
    from with_phones
)

select * from final
