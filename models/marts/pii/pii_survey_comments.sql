{{ config(schema='pii') }}
-- Survey comments as written (schema pii: published only when CXW_PUBLISH_PII=true); the
-- marts publish them with emails and phone numbers masked. One row per answer (the first
-- submitted delivery of its response_id) that has a comment.
with responses as (
    select * from {{ ref('stg_survey__responses') }}
),

survey_responses as (
    select * from {{ ref('fct_survey_responses') }}
),

respondents as (
    select distinct
        response_id,
        customer_key
    from survey_responses
),

final as (
    select
        responses.response_id,
        respondents.customer_key,
        responses.comment
    from responses
    left join respondents
        on responses.response_id = respondents.response_id
    where nullif(trim(responses.comment), '') is not null
    qualify row_number() over (
        partition by responses.response_id
        order by responses.submitted_at
    ) = 1
)

select * from final
