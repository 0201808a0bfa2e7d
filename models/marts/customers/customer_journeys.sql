-- One row per unified customer with touchpoints: the journey stages reached (in the order
-- of seeds/journey_stage_order.csv), the furthest one, the stage of the latest
-- interaction, and whether the journey is a dead end: it stopped before the last stage and
-- the customer has had no interaction for var('churn_days') days before as_of. Like every
-- measure relative to as_of, the dead end leaves out future-dated touchpoints
-- (is_future_dated, serving contract); the stages and first/last touchpoints keep them.
with touchpoints as (
    select * from {{ ref('fct_touchpoints') }}
),

stage_order as (
    select * from {{ ref('journey_stage_order') }}
),

staged_touchpoints as (
    select
        touchpoints.customer_key,
        touchpoints.occurred_at,
        touchpoints.journey_stage,
        stage_order.stage_number,
        touchpoints.is_future_dated
    from touchpoints
    inner join stage_order
        on touchpoints.journey_stage = stage_order.journey_stage
    where touchpoints.customer_key is not null
),

stages_per_customer as (
    select
        customer_key,
        journey_stage,
        stage_number,
        min(occurred_at) as first_reached_at,
        max(occurred_at) as last_reached_at,
        max(occurred_at) filter (where is_future_dated is not true) as last_current_at
    from staged_touchpoints
    group by all
),

journeys as (
    select
        customer_key,
        -- the stages sorted by number in a list, not `string_agg(... order by ...)`: an
        -- ordered aggregate buffers every group's input outside DuckDB's spilling hash
        -- aggregate, and ran out of memory in a small memory_limit (2 M groups, 150 MB)
        {{ ordered_text_list('journey_stage', 'stage_number', "' > '") }} as stages_reached,
        count(*) as stages_reached_count,
        max(stage_number) as furthest_stage_number,
        max_by(journey_stage, stage_number) as furthest_stage,
        min(first_reached_at) as first_touchpoint_at,
        -- the latest touchpoint is the latest of each stage's last one (on a tie, the
        -- later stage): no window over every touchpoint
        max(last_reached_at) as last_touchpoint_at,
        max_by(
            journey_stage, {{ ordering_key(['last_reached_at', 'stage_number']) }}
        ) as last_stage,
        -- the latest touchpoint that is not future-dated: the one recency is measured on
        max(last_current_at) as last_current_touchpoint_at
    from stages_per_customer
    group by customer_key
),

final_stage as (
    select max(stage_number) as last_stage_number
    from stage_order
),

final as (
    select
        cast(journeys.customer_key as string) as customer_key,
        cast(journeys.stages_reached as string) as stages_reached,
        cast(journeys.stages_reached_count as integer) as stages_reached_count,
        cast(journeys.furthest_stage as string) as furthest_stage,
        cast(journeys.furthest_stage_number as integer) as furthest_stage_number,
        cast(journeys.last_stage as string) as last_stage,
        cast(journeys.first_touchpoint_at as timestamp) as first_touchpoint_at,
        cast(journeys.last_touchpoint_at as timestamp) as last_touchpoint_at,
        journeys.furthest_stage_number = final_stage.last_stage_number as is_journey_complete,
        -- a customer with only future-dated touchpoints is not judged (as is_churned)
        coalesce(
            journeys.furthest_stage_number < final_stage.last_stage_number
            and journeys.last_current_touchpoint_at
            < {{ dbt.dateadd('day', -1 * var('churn_days'), as_of()) }},
            false
        ) as is_dead_end
    from journeys
    cross join final_stage
)

select * from final
