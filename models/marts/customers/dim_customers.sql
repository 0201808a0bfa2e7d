-- One row per unified customer (a connected component of the identity graph). Profile
-- fields come from the person's CRM records: per field, the latest updated record that has
-- a value (int_identity__customer_profiles). No names; emails and phones only as keyed
-- hashes (HMAC-SHA256, see the macro hash_identifier): the plain values are in pii.
with customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
),

profiles as (
    select * from {{ ref('int_identity__customer_profiles') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

-- the customer timeline (every ticket, answer and session of a customer, once): the
-- interactions are counted from it
touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

identifiers as (
    select
        customer_key,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        count(*) filter (where identifier_type = 'crm_customer_id') as crm_records_count,
        count(*) filter (where identifier_type = 'email') as emails_count,
        count(*) filter (where identifier_type = 'phone') as phones_count,
        count(*) filter (where identifier_type = 'anonymous_id') as anonymous_ids_count,
        min_by(identifier_value, {{ ordering_key(['first_seen_at', 'identifier_value']) }}) filter (
            where identifier_type = 'email'
        ) as first_email,
        min_by(identifier_value, {{ ordering_key(['first_seen_at', 'identifier_value']) }}) filter (
            where identifier_type = 'phone'
        ) as first_phone_e164
    from customer_keys
    group by customer_key
),

order_summary as (
    select
        customer_key,
        count(*) filter (where not is_cancelled) as orders_count,
        -- in the reporting currency; an order no rate converts adds nothing
        coalesce(sum(reporting_amount) filter (where is_revenue), 0) as lifetime_revenue,
        min(ordered_at) filter (where not is_cancelled) as first_order_at,
        max(ordered_at) filter (where not is_cancelled) as last_order_at,
        -- churn is relative to as_of: measured on the last order that can be true (not
        -- future-dated)
        max(ordered_at) filter (
            where not is_cancelled and is_future_dated is not true
        ) as last_churn_order_at
    from orders
    where customer_key is not null
    group by customer_key
),

interaction_counts as (
    select
        customer_key,
        count(*) filter (where interaction_type = 'ticket') as tickets_count,
        count(*) filter (where interaction_type = 'survey_response') as survey_responses_count,
        count(*) filter (where interaction_type = 'web_session') as web_sessions_count
    from touchpoints
    group by customer_key
),

nps_answers as (
    select
        customer_key,
        max_by(score, {{ ordering_key(['submitted_at', 'response_id']) }}) filter (
            where survey_type = 'nps' and has_score
        ) as last_nps_score,
        max_by(nps_category, {{ ordering_key(['submitted_at', 'response_id']) }}) filter (
            where survey_type = 'nps' and has_score
        ) as last_nps_category,
        max(submitted_at) filter (where survey_type = 'nps' and has_score) as last_nps_at
    from responses
    where customer_key is not null
    group by customer_key
),

joined as (
    select
        identifiers.customer_key,
        profiles.crm_customer_id,
        profiles.country,
        profiles.city,
        profiles.signup_channel,
        profiles.marketing_opt_in,
        {{ hash_identifier(
            'coalesce(profiles.email, identifiers.first_email)'
        ) }} as email_hash,
        {{ hash_identifier(
            'coalesce(profiles.phone_e164, identifiers.first_phone_e164)'
        ) }} as phone_hash,
        identifiers.crm_records_count,
        identifiers.emails_count,
        identifiers.phones_count,
        identifiers.anonymous_ids_count,
        profiles.crm_created_at,
        identifiers.first_seen_at,
        identifiers.last_seen_at,
        coalesce(order_summary.orders_count, 0) as orders_count,
        coalesce(order_summary.lifetime_revenue, 0) as lifetime_revenue,
        order_summary.first_order_at,
        order_summary.last_order_at,
        order_summary.last_churn_order_at,
        coalesce(interaction_counts.tickets_count, 0) as tickets_count,
        coalesce(interaction_counts.survey_responses_count, 0) as survey_responses_count,
        nps_answers.last_nps_score,
        nps_answers.last_nps_category,
        nps_answers.last_nps_at,
        coalesce(interaction_counts.web_sessions_count, 0) as web_sessions_count,
        {{ as_of() }} as as_of_at
    from identifiers
    left join profiles
        on identifiers.customer_key = profiles.customer_key
    left join order_summary
        on identifiers.customer_key = order_summary.customer_key
    left join interaction_counts
        on identifiers.customer_key = interaction_counts.customer_key
    left join nps_answers
        on identifiers.customer_key = nps_answers.customer_key
),

final as (
    select
        customer_key,
        crm_customer_id,
        country,
        city,
        signup_channel,
        marketing_opt_in,
        email_hash,
        phone_hash,
        crm_records_count,
        emails_count,
        phones_count,
        anonymous_ids_count,
        crm_created_at,
        first_seen_at,
        last_seen_at,
        orders_count,
        cast(lifetime_revenue as decimal(18, 6)) as lifetime_revenue,
        first_order_at,
        last_order_at,
        last_churn_order_at,
        tickets_count,
        survey_responses_count,
        last_nps_score,
        last_nps_category,
        last_nps_at,
        web_sessions_count,
        crm_customer_id is not null as is_crm_customer,
        orders_count > 0 as is_buyer,
        coalesce(
            last_churn_order_at < as_of_at - to_days({{ var('churn_days') }}),
            false
        ) as is_churned,
        case
            when orders_count = 0 and crm_customer_id is null then 'visitor'
            when orders_count = 0 then 'lead'
            when last_churn_order_at < as_of_at - to_days({{ var('churn_days') }}) then 'churned'
            when orders_count = 1 then 'new'
            else 'repeat'
        end as lifecycle_stage
    from joined
)

select * from final
