"""BG/NBD and Gamma-Gamma fitted on int_clv__customer_summary.

One row per parameter, as clv_model_parameters in the serving contract: always the seven
rows (r, alpha, a, b; p, q, v). A model the data cannot support (too few customers, no
repeat purchase, ...: the rule of orchestration.clv.fit_models) has its values NULL and
`not_fitted_reason` says why. Time unit: var('clv_time_unit'); the summary is in days.
The fitting code is orchestration.clv (own scipy implementation of Fader, Hardie & Lee
2005 and Fader & Hardie 2013); it gives the same bits for the same customers in any row
order and with any number of threads.
"""

from datetime import UTC, datetime

import pandas as pd

from orchestration import clv

COLUMNS = [
    "model",
    "parameter",
    "value",
    "time_unit",
    "customers",
    "calibration_end",
    "fitted_at",
    "not_fitted_reason",
]


def model(dbt, session):
    dbt.config(materialized="table")
    meta = dbt.config.get("meta") or {}
    time_unit = str(meta.get("clv_time_unit") or "day")
    summary = (
        dbt.ref("int_clv__customer_summary")
        .select("frequency, recency, t as T, monetary_value")
        .df()
    )
    as_of = dbt.ref("int_kpi__as_of").select("as_of_at").limit(1).fetchall()
    calibration_end = as_of[0][0] if as_of else None
    fits = clv.fit_models(
        summary,
        time_unit=time_unit,
        min_customers=int(meta.get("clv_min_customers") or 0),
        min_repeat_customers=int(meta.get("clv_min_repeat_customers") or 0),
    )
    fitted_at = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (
            fit.model,
            name,
            None if fit.parameters is None else fit.parameters[name],
            time_unit,
            fit.customers,
            calibration_end,
            fitted_at,
            fit.not_fitted_reason,
        )
        for fit, names in zip(fits, (clv.BGNBD_PARAMETERS, clv.GAMMA_GAMMA_PARAMETERS), strict=True)
        for name in names
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype(
        {
            "model": "string",
            "parameter": "string",
            "value": "float64",
            "time_unit": "string",
            "customers": "int64",
            "calibration_end": "datetime64[us]",
            "fitted_at": "datetime64[us]",
            "not_fitted_reason": "string",
        }
    )
