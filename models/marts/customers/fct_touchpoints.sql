-- The customer timeline: every order, ticket, survey answer and web session of a customer,
-- with the channel, the touchpoint and the journey stage (seeds/journey_stages).
-- A web session's touchpoint is its most telling event type.
with orders as (
    select * from {{ ref('fct_orders') }}
),

tickets as (
    select * from {{ ref('fct_tickets') }}
),

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

sessions as (
    select * from {{ ref('fct_web_sessions') }}
),

journey_stages as (
    select * from {{ ref('journey_stages') }}
),

order_touchpoints as (
    select
        customer_key,
        ordered_at as occurred_at,
        channel,
        'purchase' as touchpoint,
        'touchpoint' as stage_match_type,
        'order' as interaction_type,
        order_id as source_id,
        is_future_dated
    from orders
),

ticket_touchpoints as (
    select
        customer_key,
        opened_at as occurred_at,
        channel,
        'support' as touchpoint,
        'touchpoint' as stage_match_type,
        'ticket' as interaction_type,
        ticket_id as source_id,
        is_future_dated
    from tickets
),

response_touchpoints as (
    select
        customer_key,
        submitted_at as occurred_at,
        channel,
        touchpoint,
        'touchpoint' as stage_match_type,
        'survey_response' as interaction_type,
        response_id as source_id,
        is_future_dated
    from responses
),

session_touchpoints as (
    select
        customer_key,
        started_at as occurred_at,
        'web' as channel,
        case
            when has_signup then 'signup'
            when has_purchase then 'purchase'
            when has_checkout_start then 'checkout_start'
            when has_add_to_cart then 'add_to_cart'
            when has_contact_form then 'contact_form'
            when has_help_center_view then 'help_center_view'
            when has_login then 'login'
            when has_search then 'search'
            when has_product_view then 'product_view'
            else 'page_view'
        end as touchpoint,
        'event_type' as stage_match_type,
        'web_session' as interaction_type,
        session_id as source_id,
        is_future_dated
    from sessions
),

all_touchpoints as (
    select * from order_touchpoints
    union all
    select * from ticket_touchpoints
    union all
    select * from response_touchpoints
    union all
    select * from session_touchpoints
),

final as (
    select
        all_touchpoints.customer_key,
        all_touchpoints.occurred_at,
        all_touchpoints.channel,
        all_touchpoints.touchpoint,
        coalesce(matched_stage.journey_stage, default_stage.journey_stage) as journey_stage,
        all_touchpoints.interaction_type,
        all_touchpoints.source_id,
        coalesce(all_touchpoints.is_future_dated, false) as is_future_dated
    from all_touchpoints
    left join journey_stages as matched_stage
        on
            all_touchpoints.stage_match_type = matched_stage.match_type
            and all_touchpoints.touchpoint = matched_stage.match_value
    left join journey_stages as default_stage
        on default_stage.match_type = 'default'
    where all_touchpoints.customer_key is not null
)

select * from final
