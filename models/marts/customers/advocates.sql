-- Advocates to nurture (referrals, reviews, loyalty): customers whose latest NPS answer is
-- a promoter and who bought at least twice (non-cancelled orders). No contact data here:
-- join pii tables on customer_key where allowed.
with customer_segments as (
    select * from {{ ref('customer_segments') }}
),

final as (
    select
        customer_key,
        latest_nps_score,
        latest_nps_at,
        orders,
        revenue,
        last_order_at,
        rfm_segment,
        persona
    from customer_segments
    where is_advocate
)

select * from final
