{{ config(
    materialized=incremental_materialization(),
    unique_key='response_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}
-- One row per survey answer: the first submitted delivery of each response_id (ties: the
-- earlier file, then the earlier line).
-- Incremental: the response_ids delivered since the high-water mark are recomputed from
-- every delivery of those ids (delete+insert), so the result equals a full refresh.
with source as (
    select * from {{ source('survey', 'survey_responses') }}
),
{% if is_incremental() %}
-- reads the source itself: a second reference to the `source` CTE would make DuckDB
-- materialise every raw answer
changed_responses as (
    select distinct {{ nullif_blank('response_id') }} as response_id
    from {{ source('survey', 'survey_responses') }}
    where {{ loaded_after_high_water_mark('_loaded_at') }}
),
{% endif %}

renamed as (
    select
        {{ nullif_blank('response_id') }} as response_id,
        {{ nullif_blank('survey_id') }} as survey_id,
        {{ vocabulary_value('survey_type', 'survey_type') }} as survey_type,
        submitted_at,
        {{ normalize_identifier('customer_id') }} as customer_id,
        {{ normalize_identifier('respondent_email') }} as respondent_email,
        lower({{ nullif_blank('touchpoint') }}) as touchpoint,
        {{ vocabulary_value('survey_channel', 'channel') }} as channel,
        score,
        {{ nullif_blank('comment') }} as comment,
        lower({{ nullif_blank('language') }}) as language,
        {{ nullif_blank('related_id') }} as related_id,
        _loaded_at,
        _file,
        _line
    from source
    {%- if is_incremental() %}
    where {{ nullif_blank('response_id') }} in (select response_id from changed_responses)
    {%- endif %}
),

first_submitted as (
    select *
    from renamed
    qualify row_number() over (
        partition by response_id
        order by submitted_at, _file, _line
    ) = 1
),

final as (
    select
        response_id,
        survey_id,
        survey_type,
        submitted_at,
        customer_id,
        respondent_email,
        touchpoint,
        channel,
        score,
        comment,
        language,
        related_id,
        _loaded_at
    from first_submitted
)

select * from final
