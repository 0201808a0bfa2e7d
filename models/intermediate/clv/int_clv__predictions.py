"""Per customer: P(alive), expected purchases, spend per purchase and value over the horizon.

Applies the parameters of int_clv__model_parameters (no refit) to
int_clv__customer_summary. The horizon is var('clv_horizon_months') months of
365.25 / 12 days (config meta.clv_horizon_months in the yml).
"""

import pandas as pd

from orchestration import clv


def _parameters(frame: pd.DataFrame, model_name: str) -> dict[str, float]:
    rows = frame[frame["model"] == model_name]
    return dict(zip(rows["parameter"], rows["value"].astype(float), strict=True))


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta") or {}
    horizon_months = int(meta.get("clv_horizon_months") or 12)
    summary = dbt.ref("int_clv__customer_summary").df()
    parameters = dbt.ref("int_clv__model_parameters").df()
    bgnbd_values = _parameters(parameters, "bg_nbd")
    gamma_gamma_values = _parameters(parameters, "gamma_gamma")
    out = summary[
        ["customer_key", "frequency", "recency", "t", "monetary_value", "calibration_end"]
    ].rename(columns={"t": "T"})
    if bgnbd_values:
        bgnbd = clv.BgNbdParams(**bgnbd_values)
        gamma_gamma = clv.GammaGammaParams(**gamma_gamma_values) if gamma_gamma_values else None
        out = clv.predict(out, bgnbd, gamma_gamma, horizon_months * clv.DAYS_PER_MONTH)
    else:
        for column in (
            "probability_alive",
            "expected_purchases",
            "expected_average_order_value",
            "expected_value",
        ):
            out[column] = pd.Series(dtype="float64")
    out = out.rename(columns={"T": "t"})
    out["horizon_months"] = horizon_months
    return out.astype({"horizon_months": "int64"})
