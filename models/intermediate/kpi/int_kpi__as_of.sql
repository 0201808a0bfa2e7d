{%- set is_from_var = var('as_of', none) is not none %}
{%- set as_of_expression = "'" ~ var('as_of') ~ "'" if is_from_var else 'latest_at' %}
-- The reporting timestamp as_of, one row: the dbt var `as_of` when set, else the latest
-- business timestamp in the loaded data (current versions of every record, all sources),
-- leaving out future-dated rows (a timestamp more than var('future_tolerance_minutes')
-- after the load time of its batch cannot be true: one wrong clock would move as_of for
-- everyone). `is_future_dated is not true`: unit-test fixtures may leave the flag NULL.
-- Read through the macro as_of() so every model agrees on it.
with customers as (
    select * from {{ ref('stg_crm__customers') }}
),

orders as (
    select * from {{ ref('stg_crm__orders') }}
),

tickets as (
    select * from {{ ref('stg_crm__tickets') }}
),

web_events as (
    select * from {{ ref('stg_web__events') }}
),

survey_responses as (
    select * from {{ ref('stg_survey__responses') }}
),

latest_per_source as (
    select greatest(max(created_at), max(updated_at)) as latest_at
    from customers
    where is_future_dated is not true
    union all
    select greatest(max(ordered_at), max(updated_at)) as latest_at
    from orders
    where is_future_dated is not true
    union all
    select
        greatest(
            max(opened_at),
            max(first_response_at),
            max(resolved_at),
            max(updated_at)
        ) as latest_at
    from tickets
    where is_future_dated is not true
    union all
    -- the incremental staging of events and answers has no flag column: computed here
    select max(event_at) as latest_at
    from web_events
    where not {{ is_future_dated(['event_at']) }}
    union all
    select max(submitted_at) as latest_at
    from survey_responses
    where not {{ is_future_dated(['submitted_at']) }}
),

latest_loaded as (
    select max(latest_at) as latest_at
    from latest_per_source
),

final as (
    select
        cast({{ as_of_expression }} as timestamp) as as_of_at,
        {{ is_from_var }} as is_from_var
    from latest_loaded
)

select * from final
