-- Every identifier the sources show, with the identifier it was seen together with (its
-- anchor) in one source record: a CRM record's id with its email and phone; a web
-- visitor's anonymous_id with the user_id it logged in as, the email it typed and the
-- customer of the order it bought; a survey answer's or ticket's customer_id with its
-- email; an order's customer_id. A row whose identifier is its own anchor only says that
-- the identifier exists. One row per anchor, identifier and evidence.
with customer_versions as (
    select * from {{ ref('stg_crm__customer_versions') }}
),

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

events as (
    select * from {{ ref('stg_web__events') }}
),

responses as (
    select * from {{ ref('stg_survey__responses') }}
),

crm_records as (
    select
        'crm_customer_id' as anchor_type,
        customer_versions.customer_id as anchor_value,
        identifier.identifier_type,
        identifier.identifier_value,
        customer_versions.created_at as observed_at,
        'crm_customer' as evidence,
    from customer_versions
    cross join lateral (
        values
        ('crm_customer_id', customer_versions.customer_id),
        ('email', customer_versions.email),
        ('phone', customer_versions.phone_e164)
    ) as identifier (identifier_type, identifier_value)
),

order_buyers as (
    select
        'crm_customer_id' as anchor_type,
        customer_id as anchor_value,
        'crm_customer_id' as identifier_type,
        customer_id as identifier_value,
        ordered_at as observed_at,
        'crm_order' as evidence,
    from orders
),

ticket_contacts as (
    select
        case
            when tickets.customer_id is not null then 'crm_customer_id' else 'email'
        end as anchor_type,
        coalesce(tickets.customer_id, tickets.contact_email) as anchor_value,
        identifier.identifier_type,
        identifier.identifier_value,
        tickets.opened_at as observed_at,
        'crm_ticket' as evidence,
    from tickets
    cross join lateral (
        values
        ('crm_customer_id', tickets.customer_id),
        ('email', tickets.contact_email)
    ) as identifier (identifier_type, identifier_value)
),

survey_respondents as (
    select
        case
            when responses.customer_id is not null then 'crm_customer_id' else 'email'
        end as anchor_type,
        coalesce(responses.customer_id, responses.respondent_email) as anchor_value,
        identifier.identifier_type,
        identifier.identifier_value,
        responses.submitted_at as observed_at,
        'survey_response' as evidence,
    from responses
    cross join lateral (
        values
        ('crm_customer_id', responses.customer_id),
        ('email', responses.respondent_email)
    ) as identifier (identifier_type, identifier_value)
),

-- Web events repeat the same identifiers many times (every page view of a logged-in
-- visitor): collapse them to one row per combination first, so the evidence below is
-- built from a few rows per visitor instead of one per event.
web_identifier_sets as (
    select
        anonymous_id,
        user_id,
        email,
        order_id,
        min(event_at) as first_observed_at,
        max(event_at) as last_observed_at,
        count(*) as observations,
    from events
    group by anonymous_id, user_id, email, order_id
),

web_visitors as (
    select
        'anonymous_id' as anchor_type,
        web_identifier_sets.anonymous_id as anchor_value,
        identifier.identifier_type,
        identifier.identifier_value,
        web_identifier_sets.first_observed_at,
        web_identifier_sets.last_observed_at,
        web_identifier_sets.observations,
        identifier.evidence,
    from web_identifier_sets
    left join orders
        on web_identifier_sets.order_id = orders.order_id
    cross join lateral (
        values
        ('anonymous_id', web_identifier_sets.anonymous_id, 'web_event'),
        ('crm_customer_id', web_identifier_sets.user_id, 'web_login'),
        ('email', web_identifier_sets.email, 'web_typed_email'),
        ('crm_customer_id', orders.customer_id, 'web_purchase')
    ) as identifier (identifier_type, identifier_value, evidence)
),

-- one row per source record (observations = 1), in the shape of web_visitors
record_observations as (
    select * from crm_records
    union all
    select * from order_buyers
    union all
    select * from ticket_contacts
    union all
    select * from survey_respondents
),

all_observations as (
    select
        anchor_type,
        anchor_value,
        identifier_type,
        identifier_value,
        observed_at as first_observed_at,
        observed_at as last_observed_at,
        1 as observations,
        evidence,
    from record_observations
    union all
    select
        anchor_type,
        anchor_value,
        identifier_type,
        identifier_value,
        first_observed_at,
        last_observed_at,
        observations,
        evidence,
    from web_visitors
),

final as (
    select
        anchor_type,
        anchor_value,
        identifier_type,
        identifier_value,
        evidence,
        min(first_observed_at) as first_observed_at,
        max(last_observed_at) as last_observed_at,
        cast(sum(observations) as bigint) as observations,
    from all_observations
    where
        anchor_value is not null
        and identifier_value is not null
    group by
        anchor_type,
        anchor_value,
        identifier_type,
        identifier_value,
        evidence
)

select * from final
