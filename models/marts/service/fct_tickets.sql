-- Published as computed in int_service__tickets (marts read intermediates, and the
-- KPI intermediates read int_service__tickets too). The columns and their types are the
-- serving contract's, enforced by the model contract in yml (hence `select *`).
with service_rows as (
    select * from {{ ref('int_service__tickets') }}
)

select * from service_rows  -- noqa: AM04
