-- Survey results per survey type and slice (all_time overall, by touchpoint, journey
-- stage and channel, and by month): NPS with the counts and shares of promoters, passives
-- and detractors; CSAT; CES (mean, and the easy share); each with the half-width of its 95 %
-- confidence interval. Every figure is int_kpi__survey's, where it is computed once (the
-- same rows give kpi_scorecard its survey KPIs); this model lays them out by survey type.
with survey_slices as (
    select * from {{ ref('int_kpi__survey') }}
),

final as (
    select
        cast(survey_type as string) as survey_type,
        {{ kpi_slice_columns(cast=true) }}
        answers,
        mean_score,
        promoters,
        passives,
        detractors,
        promoter_share,
        passive_share,
        detractor_share,
        case when survey_type = 'nps' then value end as nps,
        case when survey_type = 'nps' then margin_of_error_95 end as nps_margin_of_error_95,
        case when survey_type = 'csat' then value end as csat,
        case when survey_type = 'csat' then margin_of_error_95 end as csat_margin_of_error_95,
        case when survey_type = 'ces' then value end as ces,
        case when survey_type = 'ces' then margin_of_error_95 end as ces_margin_of_error_95,
        ces_easy_share,
        ces_easy_share_margin_of_error_95
    from survey_slices
)

select * from final
