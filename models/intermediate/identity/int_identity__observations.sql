-- Every identifier the sources show, with the identifier it was seen together with (its
-- anchor) in one source record: a CRM record's id with its email and phone; a web
-- visitor's anonymous_id with the user_id it logged in as, the email it typed and the
-- customer of the order it bought; a survey answer's or ticket's customer_id with its
-- email; an order's customer_id. A row whose identifier is its own anchor only says that
-- the identifier exists. One row per anchor, identifier and evidence.
-- A CRM record links through what its latest version carries (evidence crm_customer);
-- what only its older versions carried is kept as crm_customer_history (a corrected typo,
-- a phone number given up), which never links the record to whoever holds the value now.
-- Identifier values are normalised in staging (macros normalize_identifier, normalize_phone).
with customer_versions as (
    select * from {{ ref('stg_crm__customer_versions') }}
),

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

visitor_identifiers as (
    select * from {{ ref('int_web__visitor_identifiers') }}
),

responses as (
    select * from {{ ref('stg_survey__responses') }}
),

-- one union-all branch per identifier column: `cross join lateral (values ...)` was planned
-- as a join back to the distinct source rows
crm_records as (
    {%- for identifier_type, column in [
        ('crm_customer_id', 'customer_id_normalized'), ('email', 'email'), ('phone', 'phone_e164'),
    ] %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        'crm_customer_id' as anchor_type,
        customer_id_normalized as anchor_value,
        '{{ identifier_type }}' as identifier_type,
        {{ column }} as identifier_value,
        created_at as observed_at,
        case
            when version_rank = 1 then 'crm_customer' else 'crm_customer_history'
        end as evidence
    from customer_versions
    {%- endfor %}
),

order_buyers as (
    select
        'crm_customer_id' as anchor_type,
        customer_id_normalized as anchor_value,
        'crm_customer_id' as identifier_type,
        customer_id_normalized as identifier_value,
        ordered_at as observed_at,
        'crm_order' as evidence
    from orders
),

-- tickets and survey answers name their person the same way: by CRM customer_id, else by
-- email (the anchor), and show both
contacts as (
    select
        customer_id_normalized as customer_id,
        contact_email as email,
        opened_at as observed_at,
        'crm_ticket' as evidence
    from tickets
    union all
    select
        customer_id,
        respondent_email as email,
        submitted_at as observed_at,
        'survey_response' as evidence
    from responses
),

contact_records as (
    {%- for identifier_type, column in [('crm_customer_id', 'customer_id'), ('email', 'email')] %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        case when customer_id is not null then 'crm_customer_id' else 'email' end as anchor_type,
        coalesce(customer_id, email) as anchor_value,
        '{{ identifier_type }}' as identifier_type,
        {{ column }} as identifier_value,
        observed_at,
        evidence
    from contacts
    {%- endfor %}
),

-- one row per source record and identifier, grouped below
record_observations as (
    select * from crm_records
    union all
    select * from order_buyers
    union all
    select * from contact_records
),

grouped_record_observations as (
    select
        anchor_type,
        anchor_value,
        identifier_type,
        identifier_value,
        evidence,
        min(observed_at) as first_observed_at,
        max(observed_at) as last_observed_at,
        cast(count(*) as bigint) as observations
    from record_observations
    where
        anchor_value is not null
        and identifier_value is not null
    group by
        anchor_type,
        anchor_value,
        identifier_type,
        identifier_value,
        evidence
),

-- already one row per visitor, identifier and evidence (web_* evidence comes from the web
-- alone, so these rows never meet the record observations above in one group)
web_visitors as (
    select
        'anonymous_id' as anchor_type,
        anonymous_id as anchor_value,
        identifier_type,
        identifier_value,
        evidence,
        first_observed_at,
        last_observed_at,
        observations
    from visitor_identifiers
    where identifier_type != 'order_id'
),

-- the order_ids a visitor bought, as the customer of each order
web_purchases as (
    select
        'anonymous_id' as anchor_type,
        visitor_identifiers.anonymous_id as anchor_value,
        'crm_customer_id' as identifier_type,
        orders.customer_id_normalized as identifier_value,
        visitor_identifiers.evidence,
        min(visitor_identifiers.first_observed_at) as first_observed_at,
        max(visitor_identifiers.last_observed_at) as last_observed_at,
        cast(sum(visitor_identifiers.observations) as bigint) as observations
    from visitor_identifiers
    inner join orders
        on visitor_identifiers.identifier_value = orders.order_id
    where
        visitor_identifiers.identifier_type = 'order_id'
        and orders.customer_id_normalized is not null
    group by
        visitor_identifiers.anonymous_id,
        orders.customer_id_normalized,
        visitor_identifiers.evidence
),

final as (
    select * from grouped_record_observations
    union all
    select * from web_visitors
    union all
    select * from web_purchases
)

select * from final
