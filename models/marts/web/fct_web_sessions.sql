-- Published as computed in int_web__customer_sessions (marts read intermediates, and the
-- KPI intermediates read int_web__customer_sessions too). The columns and their types are the
-- serving contract's, enforced by the model contract in yml (hence `select *`).
with web_rows as (
    select * from {{ ref('int_web__customer_sessions') }}
)

select * from web_rows  -- noqa: AM04
