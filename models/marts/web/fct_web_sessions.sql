with sessions as (
    select * from {{ ref('int_web__sessions') }}
),

customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
    where identifier_type = 'anonymous_id'
),

final as (
    select
        sessions.session_id,
        sessions.anonymous_id,
        customer_keys.customer_key,
        sessions.started_at,
        sessions.ended_at,
        sessions.events_count,
        sessions.device_type,
        sessions.utm_source,
        sessions.utm_medium,
        sessions.utm_campaign,
        sessions.landing_page_url,
        sessions.has_page_view,
        sessions.has_product_view,
        sessions.has_search,
        sessions.has_add_to_cart,
        sessions.has_checkout_start,
        sessions.has_purchase,
        sessions.has_signup,
        sessions.has_login,
        sessions.has_help_center_view,
        sessions.has_contact_form,
    from sessions
    left join customer_keys
        on sessions.anonymous_id = customer_keys.identifier_value
)

select * from final
