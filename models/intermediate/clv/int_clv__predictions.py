"""Per customer: P(alive), expected purchases, spend per purchase and value over the horizon.

Applies the parameters of int_clv__model_parameters (no refit) to
int_clv__customer_summary. The horizon is var('clv_horizon_months') months of
365.25 / 12 days (config meta in the yml). Predictions that need a model that was not
fitted are NULL, with `not_fitted_reason` (orchestration.clv.predict_customers).
"""

from orchestration import clv


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta") or {}
    horizon_months = int(meta.get("clv_horizon_months") or 12)
    summary = dbt.ref("int_clv__customer_summary").df().rename(columns={"t": "T"})
    parameters = dbt.ref("int_clv__model_parameters").df()
    time_unit = str(parameters["time_unit"].iloc[0]) if not parameters.empty else "day"
    out = clv.predict_customers(
        summary[["customer_key", "frequency", "recency", "T", "monetary_value", "calibration_end"]],
        *clv.fits_from_parameters(parameters),
        horizon_months,
        time_unit,
    )
    out = out.rename(columns={"T": "t"})
    out["horizon_months"] = horizon_months
    return out.astype({"horizon_months": "int64", "not_fitted_reason": "string"})
