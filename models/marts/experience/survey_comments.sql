-- Free-text survey comments with their context, for comment and text analysis: one row
-- per answer (de-duplicated by response_id) that has a non-empty comment.
with survey_responses as (
    select * from {{ ref('fct_survey_responses') }}
),

final as (
    select
        cast(response_id as varchar) as response_id,
        cast(customer_key as varchar) as customer_key,
        cast(survey_type as varchar) as survey_type,
        cast(submitted_at as timestamp) as submitted_at,
        cast(touchpoint as varchar) as touchpoint,
        cast(journey_stage as varchar) as journey_stage,
        cast(channel as varchar) as channel,
        cast(score as integer) as score,
        cast(
            case when survey_type = 'nps' then {{ nps_category('score') }} end as varchar
        ) as nps_category,
        cast(comment as varchar) as comment,
        cast(language as varchar) as language,
        cast(related_id as varchar) as related_id
    from survey_responses
    where nullif(trim(comment), '') is not null
    qualify row_number() over (
        partition by response_id
        order by submitted_at
    ) = 1
)

select * from final
