{%- set is_from_var = var('as_of', none) is not none %}
{%- set as_of_expression = "'" ~ var('as_of') ~ "'" if is_from_var else 'latest_at' %}
-- The reporting timestamp as_of, one row: the dbt var `as_of` when set, else the latest
-- business timestamp in the loaded data (current versions of every record, all sources).
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
    select greatest(max(created_at), max(updated_at)) as latest_at from customers
    union all
    select greatest(max(ordered_at), max(updated_at)) as latest_at from orders
    union all
    select
        greatest(
            max(opened_at),
            max(first_response_at),
            max(resolved_at),
            max(updated_at)
        ) as latest_at
    from tickets
    union all
    select max(event_at) as latest_at from web_events
    union all
    select max(submitted_at) as latest_at from survey_responses
),

latest_loaded as (
    select max(latest_at) as latest_at,
    from latest_per_source
),

final as (
    select
        cast({{ as_of_expression }} as timestamp) as as_of_at,
        {{ is_from_var }} as is_from_var,
    from latest_loaded
)

select * from final
