-- Drop-off between journey stages: per stage, the customers who reached it, those who went
-- on to a later stage, those who stopped there (it is their furthest stage) and, of
-- those, the dead ends (inactive for var('churn_days') days, see customer_journeys).
with customer_journeys as (
    select * from {{ ref('customer_journeys') }}
),

stage_order as (
    select * from {{ ref('journey_stage_order') }}
),

customer_stages as (
    select
        stage_order.journey_stage,
        stage_order.stage_number,
        customer_journeys.customer_key,
        customer_journeys.furthest_stage_number,
        customer_journeys.is_dead_end,
        customer_journeys.stages_reached
    from stage_order
    inner join customer_journeys
        on {{ text_list_contains(
            'customer_journeys.stages_reached', "' > '", 'stage_order.journey_stage'
        ) }}
),

per_stage as (
    select
        stage_order.journey_stage,
        stage_order.stage_number,
        count(customer_stages.customer_key) as customers_reached,
        count_if(customer_stages.furthest_stage_number > stage_order.stage_number)
            as customers_continued,
        count_if(customer_stages.furthest_stage_number = stage_order.stage_number)
            as customers_stopped,
        count_if(
            customer_stages.furthest_stage_number = stage_order.stage_number
            and customer_stages.is_dead_end
        ) as dead_ends
    from stage_order
    left join customer_stages
        on stage_order.journey_stage = customer_stages.journey_stage
    group by all
),

final as (
    select
        cast(journey_stage as string) as journey_stage,
        cast(stage_number as integer) as stage_number,
        cast(customers_reached as bigint) as customers_reached,
        cast(customers_continued as bigint) as customers_continued,
        cast(customers_stopped as bigint) as customers_stopped,
        cast(dead_ends as bigint) as dead_ends,
        cast(100.0 * customers_stopped / nullif(customers_reached, 0) as double)
            as drop_off_rate
    from per_stage
)

select * from final
