{#- Only when no identifier may unite CRM persons (every max_crm_persons_per_identifier
    limit is 1, the default): with a higher limit a web device may unite them on purpose. -#}
{%- set limits = var('max_crm_persons_per_identifier').values() | list -%}
{{ config(enabled=(limits | max | int) <= 1) }}
-- A customer_key that unites several CRM records holds one person's records: each of them
-- shares an email or a phone (its latest version) with another record of the key. Rows
-- returned: CRM records merged with others they share no identifier with (a family tablet,
-- a guest-checkout id, a typo corrected since, ...: a device or a placeholder merged people).
with customers as (
    select * from {{ ref('stg_crm__customers') }}
),

customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
    where identifier_type = 'crm_customer_id'
),

records as (
    select
        customer_keys.customer_key,
        customers.customer_id_normalized,
        customers.email,
        customers.phone_e164
    from customers
    inner join customer_keys
        on customers.customer_id_normalized = customer_keys.identifier_value
),

merged as (
    select records.*
    from records
    semi join records as other
        on
            records.customer_key = other.customer_key
            and records.customer_id_normalized != other.customer_id_normalized
),

final as (
    select merged.*
    from merged
    anti join records as other
        on
            merged.customer_key = other.customer_key
            and merged.customer_id_normalized != other.customer_id_normalized
            and (merged.email = other.email or merged.phone_e164 = other.phone_e164)
)

select * from final
