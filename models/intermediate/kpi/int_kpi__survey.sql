-- Survey KPIs (nps, csat, ces), each computed here once, in the long shape of
-- kpi_scorecard (kpi = survey_type) for every slice: all_time overall, all_time by
-- touchpoint / journey_stage / channel, and by month. Answers are one row per response_id
-- (staging keeps the first submitted) and only answers with a score count. The columns after
-- the scorecard's are the breakdown that survey_kpis publishes (counts, shares, mean, the
-- CES easy share). Score bands: dbt vars nps_promoter_min_score, nps_passive_min_score,
-- csat_satisfied_min_score, ces_easy_min_score.
with survey_responses as (
    select * from {{ ref('int_experience__survey_responses') }}
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
        {{ nps_category('score') }} as nps_category,
        is_future_dated
    from survey_responses
    where
        score is not null
        and survey_type in ('nps', 'csat', 'ces')
),

sliced as (
    {{ kpi_slices('scored_answers', ['touchpoint', 'journey_stage', 'channel'], 'submitted_at') }}
),

aggregated as (
    select
        survey_type,
        {{ kpi_slice_columns() }}
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
        survey_type as kpi,
        {{ kpi_slice_columns() }}
        cast(case survey_type
            when 'nps' then 100.0 * cast(promoters - detractors as double) / answers
            when 'csat' then 100.0 * cast(satisfied as double) / answers
            when 'ces' then score_sum / cast(answers as double)
        end as double) as value,
        cast(case survey_type
            when 'nps' then promoters - detractors
            when 'csat' then satisfied
            when 'ces' then score_sum
        end as double) as numerator,
        cast(answers as double) as denominator,
        cast(answers as bigint) as sample_size,
        cast(case survey_type
            when 'nps' then {{ nps_margin_of_error('promoters', 'detractors', 'answers') }}
            when 'csat' then {{ proportion_margin_of_error('satisfied', 'answers') }}
            when 'ces' then {{ mean_margin_of_error(
                'score_sum', 'score_sum_of_squares', 'answers'
            ) }}
        end as double) as margin_of_error_95,
        survey_type,
        cast(answers as bigint) as answers,
        cast(mean_score as double) as mean_score,
        cast(case when survey_type = 'nps' then promoters end as bigint) as promoters,
        cast(case when survey_type = 'nps' then passives end as bigint) as passives,
        cast(case when survey_type = 'nps' then detractors end as bigint) as detractors,
        cast(
            case when survey_type = 'nps' then 100.0 * cast(promoters as double) / answers end
            as double
        ) as promoter_share,
        cast(
            case when survey_type = 'nps' then 100.0 * cast(passives as double) / answers end
            as double
        ) as passive_share,
        cast(
            case when survey_type = 'nps' then 100.0 * cast(detractors as double) / answers end
            as double
        ) as detractor_share,
        cast(
            case when survey_type = 'ces' then 100.0 * cast(easy as double) / answers end
            as double
        ) as ces_easy_share,
        cast(
            case
                when survey_type = 'ces'
                    then {{ proportion_margin_of_error('easy', 'answers') }}
            end as double
        ) as ces_easy_share_margin_of_error_95
    from aggregated
)

select * from final
