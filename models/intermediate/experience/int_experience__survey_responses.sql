-- An answer belongs to the customer of its customer_id, else of its respondent_email.
with responses as (
    select * from {{ ref('stg_survey__responses') }}
),

customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
),

journey_stages as (
    select * from {{ ref('journey_stages') }}
),

final as (
    select
        responses.response_id,
        coalesce(by_customer_id.customer_key, by_email.customer_key) as customer_key,
        responses.survey_id,
        responses.survey_type,
        responses.submitted_at,
        responses.touchpoint,
        coalesce(touchpoint_stage.journey_stage, default_stage.journey_stage) as journey_stage,
        responses.channel,
        responses.score,
        responses.score is not null as has_score,
        case
            when responses.survey_type = 'nps' then {{ nps_category('responses.score') }}
        end as nps_category,
        -- published masked; as written in pii.pii_survey_comments
        {{ mask_contact_details('responses.comment') }} as comment,
        responses.language,
        responses.related_id,
        -- serving contract: kept and flagged, counts for no measure relative to as_of
        {{ is_future_dated(['responses.submitted_at'], 'responses._loaded_at') }}
            as is_future_dated
    from responses
    {{ join_customer_key('crm_customer_id', 'responses.customer_id', 'by_customer_id') }}
    {{ join_customer_key('email', 'responses.respondent_email', 'by_email') }}
    left join journey_stages as touchpoint_stage
        on
            touchpoint_stage.match_type = 'touchpoint'
            and responses.touchpoint = touchpoint_stage.match_value
    left join journey_stages as default_stage
        on default_stage.match_type = 'default'
)

select * from final
