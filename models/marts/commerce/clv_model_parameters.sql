-- The fitted predictive CLV models, one row per parameter (serving contract); a model the
-- data cannot support has NULL values and says why in not_fitted_reason.
with model_parameters as (
    select * from {{ source('clv_fit', 'int_clv__model_parameters') }}
),

final as (
    select
        cast(model as string) as model,
        cast(parameter as string) as parameter,
        cast(value as double) as value,
        cast(time_unit as string) as time_unit,
        cast(customers as bigint) as customers,
        cast(calibration_end as timestamp) as calibration_end,
        cast(fitted_at as timestamp) as fitted_at,
        cast(not_fitted_reason as string) as not_fitted_reason
    from model_parameters
)

select * from final
