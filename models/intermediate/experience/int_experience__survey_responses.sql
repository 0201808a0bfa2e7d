-- An answer belongs to the customer of its customer_id, else of its respondent_email.
-- The comment is published without personal data (serving contract): emails and phone
-- numbers masked (macro mask_contact_details), and so are the names of people the CRM
-- knows: a capitalised word of the comment that is a word of any customer's first or last
-- name, in any version of the record, becomes [name] (macro mask_words). A name word
-- counts when it has 4 letters or more, or is the whole name (Ada, Li): the particles of
-- De Luca or van der Berg are no names of their own. Names the CRM does not know (an
-- agent's, a friend's) stay: there is no sound rule for them without a language model.
with responses as (
    select * from {{ ref('stg_survey__responses') }}
),

customer_versions as (
    select * from {{ ref('stg_crm__customer_versions') }}
),

customer_keys as (
    select * from {{ ref('int_identity__customer_keys') }}
),

journey_stages as (
    select * from {{ ref('journey_stages') }}
),

crm_names as (
    select first_name as person_name
    from customer_versions
    where first_name is not null
    union
    select last_name as person_name
    from customer_versions
    where last_name is not null
),

crm_name_words as (
    select
        person_name,
        {{ text_words('person_name') }} as name_word
    from crm_names
),

name_words as (
    select distinct lower(name_word) as name_word
    from crm_name_words
    where
        length(name_word) >= 4
        or (length(name_word) >= 2 and name_word = trim(person_name))
),

comment_words as (
    select
        response_id,
        {{ text_words('comment') }} as comment_word
    from responses
    where comment is not null
),

-- per comment, the known names it holds (capitalised), lower case
comment_names as (
    select
        comment_words.response_id,
        {{ sorted_distinct_list('name_words.name_word') }} as names
    from comment_words
    inner join name_words
        on lower(comment_words.comment_word) = name_words.name_word
    where {{ regexp_contains('comment_words.comment_word', "'^\\p{Lu}'") }}
    group by comment_words.response_id
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
        {{ mask_words(
            mask_contact_details('responses.comment'), 'comment_names.names', "'[name]'"
        ) }} as comment,
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
    left join comment_names
        on responses.response_id = comment_names.response_id
)

select * from final
