{{ config(
    materialized='incremental',
    on_schema_change='fail'
) }}
{%- set region = var('default_phone_region') | string %}
-- Every distinct phone number text of the CRM extract with its E.164 (macro normalize_phone:
-- libphonenumber, about 40 microseconds a number): a cache, so a number is parsed once,
-- not on every run. Incremental: a run parses only the texts (and default region) it has
-- not seen; changing var default_phone_region parses every text again under the new one.
with source as (
    select * from {{ source('crm', 'crm_customers') }}
),

phone_texts as (
    select distinct phone
    from source
    where phone is not null
),

new_phone_texts as (
    select phone_texts.phone
    from phone_texts
    {%- if is_incremental() %}
    anti join (
        select phone from {{ this }}
        where default_region = {{ sql_string(region) }}
    ) as known
        on phone_texts.phone = known.phone
    {%- endif %}
),

final as (
    select
        phone,
        {{ sql_string(region) }} as default_region,
        {{ normalize_phone('phone') }} as phone_e164
    from new_phone_texts
)

select * from final
