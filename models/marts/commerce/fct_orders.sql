-- Published as computed in int_commerce__orders (marts read intermediates, and the
-- KPI intermediates read int_commerce__orders too). The columns and their types are the
-- serving contract's, enforced by the model contract in yml (hence `select *`).
with commerce_rows as (
    select * from {{ ref('int_commerce__orders') }}
)

select * from commerce_rows  -- noqa: AM04
