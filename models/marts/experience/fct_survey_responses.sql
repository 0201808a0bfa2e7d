-- Published as computed in int_experience__survey_responses (marts read intermediates, and the
-- KPI intermediates read int_experience__survey_responses too). The columns and their types are the
-- serving contract's, enforced by the model contract in yml (hence `select *`).
with experience_rows as (
    select * from {{ ref('int_experience__survey_responses') }}
)

select * from experience_rows  -- noqa: AM04
