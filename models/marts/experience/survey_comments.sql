-- Free-text survey comments with their context, for comment and text analysis: one row
-- per answer (de-duplicated by response_id) that has a non-empty comment.
with survey_responses as (
    select * from {{ ref('fct_survey_responses') }}
),

final as (
    select
        cast(response_id as string) as response_id,
        cast(customer_key as string) as customer_key,
        cast(survey_type as string) as survey_type,
        cast(submitted_at as timestamp) as submitted_at,
        cast(touchpoint as string) as touchpoint,
        cast(journey_stage as string) as journey_stage,
        cast(channel as string) as channel,
        cast(score as integer) as score,
        cast(
            case when survey_type = 'nps' then {{ nps_category('score') }} end as string
        ) as nps_category,
        cast(comment as string) as comment,
        cast(language as string) as language,
        cast(related_id as string) as related_id
    from survey_responses
    where nullif(trim(comment), '') is not null
    qualify row_number() over (
        partition by response_id
        order by submitted_at
    ) = 1
)

select * from final
