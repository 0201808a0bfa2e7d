-- One row per unified customer with CRM records: per profile field, the value of the
-- latest updated record that has one (two records updated at the same instant: the greater
-- customer_id, so every rebuild picks the same one). dim_customers publishes the
-- non-identifying fields; the names, emails and phones go to the pii schema only.
with customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
),

crm_customers as (
    select * from {{ ref('stg_crm__customers') }}
),

final as (
    select
        customer_keys.customer_key,
        max_by(
            crm_customers.customer_id,
            {{ ordering_key(['crm_customers.updated_at', 'crm_customers.customer_id']) }}
        ) as crm_customer_id,
        {%- for field in [
            'email', 'phone_e164', 'first_name', 'last_name', 'country', 'city',
            'signup_channel', 'marketing_opt_in',
        ] %}
        max_by(
            crm_customers.{{ field }},
            {{ ordering_key(['crm_customers.updated_at', 'crm_customers.customer_id']) }}
        ) filter (
            where crm_customers.{{ field }} is not null
        ) as {{ field }},
        {%- endfor %}
        min(crm_customers.created_at) as crm_created_at,
        max(crm_customers.updated_at) as crm_updated_at
    from crm_customers
    inner join customer_keys
        on
            customer_keys.identifier_type = 'crm_customer_id'
            and crm_customers.customer_id_normalized = customer_keys.identifier_value
    group by customer_keys.customer_key
)

select * from final
