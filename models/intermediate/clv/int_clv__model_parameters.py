"""BG/NBD and Gamma-Gamma fitted on int_clv__customer_summary (time unit: day).

One row per parameter, as clv_model_parameters in the serving contract. The fitting code
is orchestration.clv (own scipy implementation of Fader, Hardie & Lee 2005 and Fader &
Hardie 2013). Gamma-Gamma rows are left out when no customer has a repeat purchase.
"""

from datetime import UTC, datetime

import pandas as pd

from orchestration import clv

COLUMNS = ["model", "parameter", "value", "time_unit", "customers", "calibration_end", "fitted_at"]


def model(dbt, session):
    dbt.config(materialized="table")
    # the fits collapse customers to their distinct summaries, sorted: the same data gives
    # bit-identical parameters whatever order DuckDB's threads return the rows in
    summary = (
        dbt.ref("int_clv__customer_summary")
        .select("frequency, recency, t, monetary_value, calibration_end")
        .df()
    )
    fitted_at = datetime.now(UTC).replace(tzinfo=None)
    rows = []
    if len(summary) > 0:
        calibration_end = pd.Timestamp(summary["calibration_end"].max())
        bgnbd = clv.fit_bgnbd(summary["frequency"], summary["recency"], summary["t"])
        for name in ("r", "alpha", "a", "b"):
            rows.append(
                (
                    "bg_nbd",
                    name,
                    getattr(bgnbd, name),
                    "day",
                    len(summary),
                    calibration_end,
                    fitted_at,
                )
            )
        repeaters = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
        if len(repeaters) > 0:
            gamma_gamma = clv.fit_gamma_gamma(repeaters["frequency"], repeaters["monetary_value"])
            for name in ("p", "q", "v"):
                rows.append(
                    (
                        "gamma_gamma",
                        name,
                        getattr(gamma_gamma, name),
                        "day",
                        len(repeaters),
                        calibration_end,
                        fitted_at,
                    )
                )
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
        }
    )
