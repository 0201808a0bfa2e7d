-- Survey results per survey type and slice (all_time overall, by touchpoint, journey
-- stage and channel, and by month): NPS with the counts and shares of promoters, passives
-- and detractors; CSAT (share scoring 4-5); CES (mean, and share scoring 5-7); each with
-- the half-width of its 95 % confidence interval. Only answers with a score count;
-- answers are de-duplicated by response_id (the first submitted).
with survey_responses as (
    select * from {{ ref('fct_survey_responses') }}
),

scored_answers as (
    select
        response_id,
        survey_type,
        submitted_at,
        touchpoint,
        journey_stage,
        channel,
        score,
        {{ nps_category('score') }} as nps_category
    from survey_responses
    where
        score is not null
        and survey_type in ('nps', 'csat', 'ces')
    qualify row_number() over (
        partition by response_id
        order by submitted_at
    ) = 1
),

sliced as (
    {{ kpi_slices('scored_answers', ['touchpoint', 'journey_stage', 'channel'], 'submitted_at') }}
),

aggregated as (
    select
        survey_type,
        grain,
        period_start,
        dimension,
        dimension_value,
        count(*) as answers,
        count_if(nps_category = 'promoter') as promoters,
        count_if(nps_category = 'passive') as passives,
        count_if(nps_category = 'detractor') as detractors,
        count_if(score >= {{ var('csat_satisfied_min_score') }}) as satisfied,
        count_if(score >= {{ var('ces_easy_min_score') }}) as easy,
        avg(score) as mean_score,
        sum(score) as score_sum,
        sum(score * score) as score_sum_of_squares
    from sliced
    group by all
),

final as (
    select
        cast(survey_type as string) as survey_type,
        cast(grain as string) as grain,
        cast(period_start as date) as period_start,
        cast(dimension as string) as dimension,
        cast(dimension_value as string) as dimension_value,
        cast(answers as bigint) as answers,
        cast(mean_score as double) as mean_score,
        cast(case when survey_type = 'nps' then promoters end as bigint) as promoters,
        cast(case when survey_type = 'nps' then passives end as bigint) as passives,
        cast(case when survey_type = 'nps' then detractors end as bigint) as detractors,
        cast(case when survey_type = 'nps' then 100.0 * promoters / answers end as double)
            as promoter_share,
        cast(case when survey_type = 'nps' then 100.0 * passives / answers end as double)
            as passive_share,
        cast(case when survey_type = 'nps' then 100.0 * detractors / answers end as double)
            as detractor_share,
        cast(
            case when survey_type = 'nps' then 100.0 * (promoters - detractors) / answers end
            as double
        ) as nps,
        cast(
            case
                when survey_type = 'nps'
                    then {{ nps_margin_of_error('promoters', 'detractors', 'answers') }}
            end as double
        ) as nps_margin_of_error_95,
        cast(case when survey_type = 'csat' then 100.0 * satisfied / answers end as double)
            as csat,
        cast(
            case
                when survey_type = 'csat'
                    then {{ proportion_margin_of_error('satisfied', 'answers') }}
            end as double
        ) as csat_margin_of_error_95,
        cast(case when survey_type = 'ces' then mean_score end as double) as ces,
        cast(
            case
                when survey_type = 'ces'
                    then {{ mean_margin_of_error(
                        'score_sum', 'score_sum_of_squares', 'answers'
                    ) }}
            end as double
        ) as ces_margin_of_error_95,
        cast(case when survey_type = 'ces' then 100.0 * easy / answers end as double)
            as ces_easy_share,
        cast(
            case
                when survey_type = 'ces'
                    then {{ proportion_margin_of_error('easy', 'answers') }}
            end as double
        ) as ces_easy_share_margin_of_error_95
    from aggregated
)

select * from final
