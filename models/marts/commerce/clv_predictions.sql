-- Predicted customer lifetime value per unified customer with at least one purchase:
-- BG/NBD expected purchases and Gamma-Gamma expected spend per purchase over the horizon;
-- NULL where the model they need was not fitted, with the reason.
with predictions as (
    select * from {{ source('clv_fit', 'int_clv__predictions') }}
),

summary as (
    select * from {{ ref('int_clv__customer_summary') }}
),

final as (
    select
        cast(predictions.customer_key as string) as customer_key,
        cast(summary.first_purchase_date as date) as first_purchase_date,
        cast(summary.last_purchase_date as date) as last_purchase_date,
        cast(predictions.frequency as integer) as frequency,
        cast(predictions.recency as double) as recency_days,
        cast(predictions.t as double) as t_days,
        cast(predictions.monetary_value as double) as monetary_value,
        cast(predictions.probability_alive as double) as probability_alive,
        cast(predictions.expected_purchases as double) as expected_purchases,
        cast(predictions.expected_average_order_value as double)
            as expected_average_order_value,
        cast(predictions.expected_value as double) as expected_value,
        cast(predictions.horizon_months as integer) as horizon_months,
        cast(predictions.calibration_end as timestamp) as calibration_end,
        cast(predictions.not_fitted_reason as string) as not_fitted_reason
    from predictions
    inner join summary
        on predictions.customer_key = summary.customer_key
)

select * from final
