-- One row per unified customer: RFM scores and segment, persona (rules in
-- seeds/personas.csv), is_advocate and is_churn_risk, with the features behind them.
-- Orders: non-cancelled orders count as purchases; revenue excludes returned orders.
with identity_map as (
    select * from {{ ref('customer_identity_map') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

survey_responses as (
    select * from {{ ref('fct_survey_responses') }}
),

tickets as (
    select * from {{ ref('fct_tickets') }}
),

customers as (
    select distinct customer_key
    from identity_map
    where customer_key is not null
),

order_features as (
    select
        customer_key,
        count_if(status != 'cancelled') as orders,
        coalesce(
            -- in the reporting currency; an order no rate converts adds nothing
            sum(reporting_amount) filter (where status not in ('cancelled', 'returned')), 0
        ) as revenue,
        -- recency is relative to as_of: a future-dated order (is_future_dated) is not
        -- the last order
        max(ordered_at) filter (
            where status != 'cancelled' and is_future_dated is not true
        ) as last_order_at
    from orders
    where customer_key is not null
    group by customer_key
),

latest_nps as (
    select
        customer_key,
        score as latest_nps_score,
        {{ nps_category('score') }} as latest_nps_category,
        submitted_at as latest_nps_at
    from survey_responses
    where
        survey_type = 'nps'
        and score is not null
        and customer_key is not null
    qualify row_number() over (
        partition by customer_key
        order by submitted_at desc, response_id desc
    ) = 1
),

ticket_features as (
    select
        customer_key,
        count(*) as tickets,
        count_if(
            opened_at >= {{ dbt.dateadd('day', -1 * var('churn_risk_ticket_days', 90), as_of()) }}
            and is_future_dated is not true
        ) as recent_tickets
    from tickets
    where customer_key is not null
    group by customer_key
),

features as (
    select
        customers.customer_key,
        coalesce(order_features.orders, 0) as orders,
        coalesce(order_features.revenue, 0) as revenue,
        order_features.last_order_at,
        case
            when order_features.last_order_at is not null
                -- whole days elapsed (not calendar-day boundaries crossed: 23:59 -> 00:01
                -- is 0 days)
                then floor({{ seconds_between('order_features.last_order_at', as_of()) }} / 86400)
        end as days_since_last_order,
        coalesce(ticket_features.tickets, 0) as tickets,
        coalesce(ticket_features.recent_tickets, 0) as recent_tickets,
        latest_nps.latest_nps_score,
        latest_nps.latest_nps_category,
        latest_nps.latest_nps_at
    from customers
    left join order_features on customers.customer_key = order_features.customer_key
    left join ticket_features on customers.customer_key = ticket_features.customer_key
    left join latest_nps on customers.customer_key = latest_nps.customer_key
),

scored as (
    select
        *,
        {{ score_1_to_5('case when orders > 0 then days_since_last_order end',
                        'days_since_last_order desc') }} as recency_score,
        {{ score_1_to_5('case when orders > 0 then orders end', 'orders') }}
            as frequency_score,
        {{ score_1_to_5('case when orders > 0 then revenue end', 'revenue') }}
            as monetary_score
    from features
),

final as (
    select
        cast(scored.customer_key as string) as customer_key,
        cast(scored.orders as bigint) as orders,
        cast(scored.revenue as double) as revenue,
        cast(scored.last_order_at as timestamp) as last_order_at,
        cast(scored.days_since_last_order as integer) as days_since_last_order,
        cast(scored.tickets as bigint) as tickets,
        cast(scored.recent_tickets as bigint) as recent_tickets,
        cast(scored.latest_nps_score as integer) as latest_nps_score,
        cast(scored.latest_nps_category as string) as latest_nps_category,
        cast(scored.latest_nps_at as timestamp) as latest_nps_at,
        cast(scored.recency_score as integer) as recency_score,
        cast(scored.frequency_score as integer) as frequency_score,
        cast(scored.monetary_score as integer) as monetary_score,
        cast(
            case
                when scored.recency_score is not null
                    then
                        cast(scored.recency_score as string)
                        || cast(scored.frequency_score as string)
                        || cast(scored.monetary_score as string)
            end as string
        ) as rfm_score,
        cast(
            {{ rfm_segment('scored.recency_score', 'scored.frequency_score',
                           'scored.monetary_score') }} as string
        ) as rfm_segment,
        cast({{ persona('scored') }} as string) as persona,
        coalesce(scored.latest_nps_category = 'promoter' and scored.orders >= 2, false)
            as is_advocate,
        coalesce(scored.latest_nps_category = 'detractor' and scored.recent_tickets > 0, false)
            as is_churn_risk
    from scored
)

select * from final
