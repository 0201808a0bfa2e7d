"""Predictive customer lifetime value: BG/NBD (purchases) and Gamma-Gamma (spend).

Own implementation with scipy, after

- Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the
  Pareto/NBD Model", Marketing Science 24(2): the BG/NBD log-likelihood (eq. 6), P(alive)
  and the conditional expectation E[Y(t) | x, t_x, T] (eq. 10);
- Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": the likelihood of a
  customer's mean spend per repeat transaction and its conditional expectation.

Inputs are the usual per-customer summary (see ``summarise_transactions``): transactions
on the same day by the same customer count as one, ``frequency`` is the number of repeat
days, ``recency`` runs from the first to the last purchase and ``T`` from the first
purchase to the end of the calibration period (``as_of``), all in one time unit.

Parameters are fitted by maximum likelihood with L-BFGS-B on the logarithm of the
parameters (so they stay positive), within bounds, from a few starting points; the best
optimum wins. The Dagster asset ``clv_fit`` (orchestration/assets/clv.py) writes the
tables ``int_clv__model_parameters`` and ``int_clv__predictions`` with
``model_parameters`` and ``customer_predictions``, on DuckDB or Spark;
``tests/test_clv.py`` validates the fit against the CDNOW sample of the papers.

Bit-identical refits. The same customers give the same bits whatever order the rows
come in, however many threads DuckDB or BLAS use: the customers are collapsed to their
distinct summaries, sorted (``_distinct_rows``); the scale of the start points is an
exactly rounded mean (``math.fsum``, which no order changes); the likelihood and its
gradient are added up with ``np.sum`` (pairwise summation in the sorted order, one
thread), never with ``np.dot``, which goes to BLAS: OpenBLAS splits a dot product of
more than 10,000 terms between its threads, so its last bits depend on the thread count
and the CPU's kernel. (numpy may evaluate ``exp`` and ``log`` with different SIMD code
on different CPU generations; the fit is reproducible per machine type, not guaranteed
across them.)

When the data cannot support a model (fewer customers than ten per parameter by
default, no customer with a repeat purchase, a single mean spend, Gamma-Gamma's q <= 1),
``fit_models`` gives its parameters as NULL with the reason, and ``predict`` leaves the
predictions that need it NULL with the same reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

# Days per month used to turn the horizon in months (var clv_horizon_months) into days.
DAYS_PER_MONTH = 365.25 / 12
# Half-width of the search box of every log-parameter: a parameter stays within e^-12 and
# e^12 times its scale (1, or the mean T for alpha and the mean spend for v, so that the
# box does not depend on the currency or the time unit). An optimum on the edge stands for
# a limit of the model (a -> 0: nobody drops out; r, alpha -> infinity with r / alpha
# fixed: one purchase rate for all), whose predictions the edge values reproduce.
LOG_HALF_WIDTH = 12.0
TIME_UNIT_DAYS = {"day": 1.0, "week": 7.0}


class NotFitted(ValueError):
    """The data do not determine the model's parameters; the message says why."""


@dataclass(frozen=True)
class BgNbdParams:
    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParams:
    p: float
    q: float
    v: float


def _as_arrays(*columns: Sequence[float] | np.ndarray | pd.Series) -> list[np.ndarray]:
    return [np.asarray(c, dtype="float64") for c in columns]


def _exact_mean(values: np.ndarray) -> float:
    """The mean, exactly rounded (``math.fsum``): the same bits in any order of the values."""
    return math.fsum(values) / len(values)


def _fit_log_space(
    negative_ll, starts: Sequence[Sequence[float]], scales: Sequence[float]
) -> np.ndarray:
    """Minimise ``negative_ll(log_params)`` from each start; return the best exp(params).

    ``negative_ll`` returns the value and its gradient with respect to the log-parameters
    (analytical: a finite-difference gradient costs one likelihood per parameter more, and
    was four fifths of the fitting time). Each log-parameter is searched within
    log(scale) ± LOG_HALF_WIDTH. Raises NotFitted when the likelihood is not finite at any
    start.
    """
    centres = np.log(np.asarray(scales, dtype="float64"))
    bounds = [(c - LOG_HALF_WIDTH, c + LOG_HALF_WIDTH) for c in centres]
    best_x, best_value = None, np.inf
    for start in starts:
        result = minimize(
            negative_ll,
            x0=np.log(np.asarray(start, dtype="float64")),
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
        )
        if np.isfinite(result.fun) and result.fun < best_value:
            best_x, best_value = result.x, float(result.fun)
    if best_x is None:
        raise NotFitted("the likelihood is not finite at any start point")
    return np.exp(best_x)


# --------------------------------------------------------------------------- BG/NBD


def bgnbd_log_likelihood(params: BgNbdParams, frequency, recency, T) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6)."""
    x, t_x, big_t = _as_arrays(frequency, recency, T)
    return _bgnbd_log_likelihood(params, x, t_x, big_t, *np.unique(x, return_inverse=True))


def _bgnbd_log_likelihood(
    params: BgNbdParams, x, t_x, big_t, levels: np.ndarray, level_of: np.ndarray
) -> np.ndarray:
    """bgnbd_log_likelihood with the distinct frequencies given (`levels`, and the index of
    each customer's in it): the special functions depend on the frequency alone, which takes
    a few dozen values, so they are evaluated per level (same values, half the time)."""
    a1_a2, a3, a4, has_repeat = _bgnbd_terms(params, x, t_x, big_t, levels, level_of)
    return a1_a2 + np.where(has_repeat, np.logaddexp(a3, a4), a3)


def _bgnbd_terms(params: BgNbdParams, x, t_x, big_t, levels, level_of):
    """The terms of eq. 6: A1 + A2 (per customer), A3, A4 and where x > 0 (where A4 counts)."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    a1 = (gammaln(r + levels) - gammaln(r) + r * np.log(alpha))[level_of]
    a2 = (betaln(a, b + levels) - betaln(a, b))[level_of]
    a3 = -(r + x) * np.log(alpha + big_t)
    # log(a / (b + x - 1)) - (r + x) log(alpha + t_x), only where x > 0
    log_denominator = np.log(np.where(levels > 0, b + levels - 1, 1.0))[level_of]
    a4 = np.log(a) - log_denominator - (r + x) * np.log(alpha + t_x)
    return a1 + a2, a3, a4, x > 0


def _bgnbd_log_likelihood_gradient(
    params: BgNbdParams, x, t_x, big_t, levels: np.ndarray, level_of: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The per-customer log-likelihood and its derivatives by log r, log alpha, log a and
    log b (d/d log θ = θ d/dθ), term by term of eq. 6; digamma also per frequency level."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    a1_a2, a3, a4, has_repeat = _bgnbd_terms(params, x, t_x, big_t, levels, level_of)
    last = np.where(has_repeat, np.logaddexp(a3, a4), a3)
    psi_ab_x = digamma(a + b + levels)
    d_a1_r = (digamma(r + levels) - digamma(r))[level_of] + np.log(alpha)
    d_a2_a = (digamma(a + b) - psi_ab_x)[level_of]
    d_a2_b = (digamma(b + levels) - psi_ab_x - digamma(b) + digamma(a + b))[level_of]
    # the last term is log(e^a3 + e^a4) where x > 0: its derivative weighs the two
    # terms' derivatives by e^(a3 - last) and e^(a4 - last)
    w3 = np.exp(a3 - last)
    w4 = np.exp(np.where(has_repeat, a4 - last, -np.inf))
    # 1 / (b + x - 1), per frequency level; w4 is 0 where x = 0
    inverse_b_x = (1.0 / np.where(levels > 0, b + levels - 1, 1.0))[level_of]
    d_r = d_a1_r - w3 * np.log(alpha + big_t) - w4 * np.log(alpha + t_x)
    d_alpha = r / alpha - w3 * (r + x) / (alpha + big_t) - w4 * (r + x) / (alpha + t_x)
    d_a = d_a2_a + w4 / a
    d_b = d_a2_b - w4 * inverse_b_x
    return a1_a2 + last, [r * d_r, alpha * d_alpha, a * d_a, b * d_b]


def _weighted_negative(
    weights: np.ndarray, ll: np.ndarray, gradient: list[np.ndarray]
) -> tuple[float, np.ndarray]:
    """Minus the weighted total log-likelihood and its gradient; a huge value where the
    likelihood is not finite, so the line search steps back.

    The totals are ``np.sum`` of the products (pairwise summation in the array's order, on
    one thread), not ``np.dot``: BLAS splits long dot products between its threads, and
    the last bits of the total then depend on the thread count (see the module docstring).
    """
    value = -float(np.sum(weights * ll))
    if not np.isfinite(value):
        return 1e300, np.zeros(len(gradient))
    return value, -np.array([np.sum(weights * g) for g in gradient])


def _distinct_rows(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of the columns (sorted) and how often each occurs.

    Customers with the same summary have the same likelihood: evaluating each distinct
    summary once, weighted by its count, gives the same total in a fraction of the time
    (with time in days, most customers share their (x, t_x, T) with others).
    """
    rows, counts = np.unique(np.column_stack(columns), axis=0, return_counts=True)
    return list(rows.T), counts.astype("float64")


def fit_bgnbd(frequency, recency, T) -> BgNbdParams:
    """Maximum-likelihood BG/NBD parameters for a customer summary.

    Raises NotFitted without a customer or without a repeat purchase (the likelihood
    then grows without end as r -> 0: no purchase rate can be estimated).
    """
    x, t_x, big_t = _as_arrays(frequency, recency, T)
    if len(x) == 0:
        raise NotFitted("no customer has a purchase up to as_of")
    if not np.any(x > 0):
        raise NotFitted("no customer has a repeat purchase: the purchase rate cannot be estimated")
    scale = _exact_mean(big_t) or 1.0
    (x, t_x, big_t), weights = _distinct_rows(x, t_x, big_t)
    levels, level_of = np.unique(x, return_inverse=True)

    def negative_ll(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = BgNbdParams(*np.exp(log_params))
        ll, gradient = _bgnbd_log_likelihood_gradient(params, x, t_x, big_t, levels, level_of)
        return _weighted_negative(weights, ll, gradient)

    starts = [(1.0, scale, 1.0, 1.0), (0.5, scale / 2, 0.5, 2.0), (1.0, 1.0, 1.0, 1.0)]
    r, alpha, a, b = _fit_log_space(negative_ll, starts, (1.0, scale, 1.0, 1.0))
    return BgNbdParams(float(r), float(alpha), float(a), float(b))


def bgnbd_probability_alive(params: BgNbdParams, frequency, recency, T) -> np.ndarray:
    """P(the customer is still active at T | x, t_x, T)."""
    x, t_x, big_t = _as_arrays(frequency, recency, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    safe_denominator = np.where(x > 0, b + x - 1, 1.0)
    log_odds = (
        np.log(a) - np.log(safe_denominator) + (r + x) * np.log((alpha + big_t) / (alpha + t_x))
    )
    return np.where(x > 0, 1.0 / (1.0 + np.exp(log_odds)), 1.0)


def bgnbd_expected_purchases(
    params: BgNbdParams, horizon: float, frequency, recency, T
) -> np.ndarray:
    """E[Y(horizon) | x, t_x, T]: expected purchases in the next ``horizon`` (eq. 10)."""
    x, t_x, big_t = _as_arrays(frequency, recency, T)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    t = float(horizon)
    hyper = hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
    numerator = (
        (a + b + x - 1) / (a - 1) * (1 - ((alpha + big_t) / (alpha + big_t + t)) ** (r + x) * hyper)
    )
    safe_denominator = np.where(x > 0, b + x - 1, 1.0)
    odds = np.where(x > 0, a / safe_denominator * ((alpha + big_t) / (alpha + t_x)) ** (r + x), 0.0)
    return numerator / (1.0 + odds)


# ----------------------------------------------------------------------- Gamma-Gamma


def gamma_gamma_log_likelihood(params: GammaGammaParams, frequency, monetary_value) -> np.ndarray:
    """Per-customer log-likelihood of the mean spend (Fader & Hardie 2013), for x > 0."""
    x, m = _as_arrays(frequency, monetary_value)
    p, q, v = params.p, params.q, params.v
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(v)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + v)
    )


def _gamma_gamma_log_likelihood_gradient(
    params: GammaGammaParams,
    x: np.ndarray,
    m: np.ndarray,
    levels: np.ndarray | None = None,
    level_of: np.ndarray | None = None,
    log_m: np.ndarray | None = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The per-customer log-likelihood and its derivatives by log p, log q and log v.

    The special functions depend on the frequency alone, which takes a few dozen values:
    with the distinct frequencies given (`levels`, and the index of each customer's in it)
    they are evaluated per level, and `log_m` (log of the mean spend, the same at every
    step of a fit) is computed once by the caller.
    """
    if levels is None or level_of is None:
        levels, level_of = np.unique(x, return_inverse=True)
    if log_m is None:
        log_m = np.log(m)
    p, q, v = params.p, params.q, params.v
    p_levels = p * levels
    psi_px_q = digamma(p_levels + q)
    # per frequency level: the terms of the likelihood and of d/dp that do not involve m
    level_ll = (gammaln(p_levels + q) - gammaln(p_levels) + p_levels * np.log(levels))[level_of]
    level_d_p = (levels * (psi_px_q - digamma(p_levels) + np.log(levels)))[level_of]
    px = p * x
    log_xm_v = np.log(x * m + v)
    ll = level_ll - gammaln(q) + q * np.log(v) + (px - 1) * log_m - (px + q) * log_xm_v
    d_p = level_d_p + x * (log_m - log_xm_v)
    d_q = psi_px_q[level_of] - digamma(q) + np.log(v) - log_xm_v
    d_v = q / v - (px + q) / (x * m + v)
    return ll, [p * d_p, q * d_q, v * d_v]


def fit_gamma_gamma(frequency, monetary_value) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters over customers with repeat purchases.

    Customers with ``frequency == 0`` or a non-positive mean spend carry no information
    on spend per repeat transaction and are left out, as in the paper. Raises NotFitted
    when fewer than two such customers have different mean spends (the spread of spend
    between customers, hence p, q and v, is then undetermined) or when q <= 1 (the
    population mean spend p v / (q - 1), the prediction for customers without repeats,
    does not exist).
    """
    x, m = _as_arrays(frequency, monetary_value)
    keep = (x > 0) & (m > 0)
    x, m = x[keep], m[keep]
    if len(np.unique(m)) < 2:
        raise NotFitted(
            "fewer than two customers with repeat purchases and different mean spends: "
            "the spread of spend between customers cannot be estimated"
        )
    scale = _exact_mean(m)
    (x, m), weights = _distinct_rows(x, m)
    levels, level_of = np.unique(x, return_inverse=True)
    log_m = np.log(m)

    def negative_ll(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        params = GammaGammaParams(*np.exp(log_params))
        return _weighted_negative(
            weights,
            *_gamma_gamma_log_likelihood_gradient(params, x, m, levels, level_of, log_m),
        )

    starts = [(1.0, 1.0, 1.0), (2.0, 3.0, scale), (5.0, 5.0, scale * 2)]
    p, q, v = _fit_log_space(negative_ll, starts, (1.0, 1.0, scale))
    if q <= 1:
        raise NotFitted(
            f"q = {q:.4g} <= 1: the mean spend of the population, p v / (q - 1), does not exist"
        )
    return GammaGammaParams(float(p), float(q), float(v))


def gamma_gamma_expected_value(params: GammaGammaParams, frequency, monetary_value) -> np.ndarray:
    """E[M | x, m_x]: expected spend per transaction, shrunk towards the population mean.

    For x = 0 (or an unknown mean) this is the population mean p v / (q - 1).
    """
    x, m = _as_arrays(frequency, monetary_value)
    p, q, v = params.p, params.q, params.v
    m = np.where((x > 0) & np.isfinite(m), m, 0.0)
    population_mean = p * v / (q - 1)
    weight = p * x / (p * x + q - 1)
    return (1 - weight) * population_mean + weight * m


# -------------------------------------------------------------------------- summary


def summarise_transactions(
    transactions: pd.DataFrame,
    as_of: pd.Timestamp,
    customer_col: str = "customer_key",
    datetime_col: str = "ordered_at",
    amount_col: str = "amount",
    time_unit: str = "day",
) -> pd.DataFrame:
    """Per-customer frequency / recency / T / monetary_value, in days or weeks.

    Same-day transactions of one customer count as one (their amounts are added up);
    ``frequency`` is the number of repeat purchase days; ``recency`` the time from the
    first to the last purchase day; ``T`` from the first purchase day to ``as_of``'s day;
    ``monetary_value`` the mean amount of the repeat days (NaN without repeats).
    """
    divisor = {"day": 1.0, "week": 7.0}[time_unit]
    daily = (
        transactions.assign(purchase_date=pd.to_datetime(transactions[datetime_col]).dt.floor("D"))
        .groupby([customer_col, "purchase_date"], as_index=False)[amount_col]
        .sum()
        .sort_values([customer_col, "purchase_date"])
    )
    daily["is_first"] = ~daily.duplicated(customer_col)
    end = pd.Timestamp(as_of).floor("D")
    grouped = daily.groupby(customer_col)
    summary = pd.DataFrame(
        {
            "first_purchase_date": grouped["purchase_date"].min(),
            "last_purchase_date": grouped["purchase_date"].max(),
            "frequency": grouped["purchase_date"].count() - 1,
        }
    )
    repeat = daily[~daily["is_first"]].groupby(customer_col)[amount_col].mean()
    summary["monetary_value"] = repeat.reindex(summary.index).astype("float64")
    summary["recency"] = (
        summary["last_purchase_date"] - summary["first_purchase_date"]
    ).dt.days / divisor
    summary["T"] = (end - summary["first_purchase_date"]).dt.days / divisor
    return summary.reset_index()[[customer_col, "frequency", "recency", "T", "monetary_value"]]


def predict(
    summary: pd.DataFrame,
    bgnbd: BgNbdParams | None,
    gamma_gamma: GammaGammaParams | None,
    horizon: float,
) -> pd.DataFrame:
    """Expected purchases, spend per purchase and value over ``horizon`` per customer.

    ``summary`` has frequency, recency, T (same unit as the fit) and monetary_value.
    The predicted value is expected purchases x expected spend per purchase, undiscounted.
    A model given as None leaves the predictions that need it NaN.
    """
    out = summary.copy()
    args = (summary["frequency"], summary["recency"], summary["T"])
    if bgnbd is None:
        out["probability_alive"] = np.nan
        out["expected_purchases"] = np.nan
    else:
        out["probability_alive"] = bgnbd_probability_alive(bgnbd, *args)
        out["expected_purchases"] = bgnbd_expected_purchases(bgnbd, horizon, *args)
    if gamma_gamma is None:
        out["expected_average_order_value"] = np.nan
    else:
        out["expected_average_order_value"] = gamma_gamma_expected_value(
            gamma_gamma, summary["frequency"], summary["monetary_value"]
        )
    out["expected_value"] = out["expected_purchases"] * out["expected_average_order_value"]
    return out


# ------------------------------------------------------------- the published models

BGNBD_PARAMETERS = ("r", "alpha", "a", "b")
GAMMA_GAMMA_PARAMETERS = ("p", "q", "v")
PREDICTION_COLUMNS = (
    "probability_alive",
    "expected_purchases",
    "expected_average_order_value",
    "expected_value",
)


@dataclass(frozen=True)
class ModelFit:
    """One model as published: its parameters, or None with the reason it was not fitted.

    ``customers`` is how many customers the fit rests on (for Gamma-Gamma, those with a
    repeat purchase and a positive mean spend), fitted or not.
    """

    model: str  # "bg_nbd" or "gamma_gamma"
    parameters: dict[str, float] | None
    customers: int
    not_fitted_reason: str | None = None


def _time_unit_days(time_unit: str) -> float:
    if time_unit not in TIME_UNIT_DAYS:
        raise ValueError(
            f"CLV time unit {time_unit!r} is not one of {sorted(TIME_UNIT_DAYS)}: "
            "set the dbt var clv_time_unit to 'day' or 'week'"
        )
    return TIME_UNIT_DAYS[time_unit]


def fit_models(
    summary: pd.DataFrame,
    time_unit: str = "day",
    min_customers: int = 40,
    min_repeat_customers: int = 30,
) -> tuple[ModelFit, ModelFit]:
    """BG/NBD and Gamma-Gamma fitted on a customer summary, or the reason each was not.

    ``summary``: one row per customer with frequency (repeat purchase days), recency and
    T in days, monetary_value (NaN without repeats). Recency and T are divided by 7 for
    ``time_unit='week'``. The rule (documented in the serving contract's reading, README
    "Predictive CLV"): a model is fitted only on at least ``min_customers`` customers
    (BG/NBD) or ``min_repeat_customers`` customers with a repeat purchase (Gamma-Gamma),
    by default ten per parameter (the events-per-variable rule of thumb of Peduzzi et al.
    1996), and only where the data determine it (``NotFitted`` of the fits).
    """
    days = _time_unit_days(time_unit)
    x = summary["frequency"].to_numpy(dtype="float64")
    t_x = summary["recency"].to_numpy(dtype="float64") / days
    big_t = summary["T"].to_numpy(dtype="float64") / days
    m = summary["monetary_value"].to_numpy(dtype="float64")

    customers = len(x)
    if customers == 0:
        bgnbd = ModelFit("bg_nbd", None, 0, "no customer has a purchase up to as_of")
    elif customers < min_customers:
        bgnbd = ModelFit(
            "bg_nbd",
            None,
            customers,
            f"{customers} customer(s) with a purchase, fewer than the {min_customers} "
            "the fit needs (dbt var clv_min_customers)",
        )
    else:
        try:
            params = fit_bgnbd(x, t_x, big_t)
            bgnbd = ModelFit("bg_nbd", _as_dict(params), customers)
        except NotFitted as reason:
            bgnbd = ModelFit("bg_nbd", None, customers, str(reason))

    repeaters = (x > 0) & np.isfinite(m) & (m > 0)
    repeat_customers = int(repeaters.sum())
    if repeat_customers < max(min_repeat_customers, 1):
        gamma_gamma = ModelFit(
            "gamma_gamma",
            None,
            repeat_customers,
            f"{repeat_customers} customer(s) with a repeat purchase, fewer than the "
            f"{max(min_repeat_customers, 1)} the fit needs (dbt var clv_min_repeat_customers)",
        )
    else:
        try:
            params = fit_gamma_gamma(x[repeaters], m[repeaters])
            gamma_gamma = ModelFit("gamma_gamma", _as_dict(params), repeat_customers)
        except NotFitted as reason:
            gamma_gamma = ModelFit("gamma_gamma", None, repeat_customers, str(reason))
    return bgnbd, gamma_gamma


def _as_dict(params: BgNbdParams | GammaGammaParams) -> dict[str, float]:
    return {name: float(value) for name, value in vars(params).items()}


def fits_from_parameters(parameters: pd.DataFrame) -> tuple[ModelFit, ModelFit]:
    """The two models back from their published rows (int_clv__model_parameters): a model
    with a NULL value is not fitted."""
    fits = []
    for model, names in (("bg_nbd", BGNBD_PARAMETERS), ("gamma_gamma", GAMMA_GAMMA_PARAMETERS)):
        rows = parameters[parameters["model"] == model]
        values = dict(zip(rows["parameter"], rows["value"], strict=True))
        reasons = rows["not_fitted_reason"].dropna()
        fitted = set(values) == set(names) and not any(pd.isna(v) for v in values.values())
        fits.append(
            ModelFit(
                model,
                {name: float(values[name]) for name in names} if fitted else None,
                int(rows["customers"].max()) if len(rows) else 0,
                None if fitted else (str(reasons.iloc[0]) if len(reasons) else "no parameters"),
            )
        )
    return fits[0], fits[1]


def predict_customers(
    summary: pd.DataFrame,
    bgnbd: ModelFit,
    gamma_gamma: ModelFit,
    horizon_months: int,
    time_unit: str = "day",
) -> pd.DataFrame:
    """The published predictions: ``summary`` (recency and T in days) with P(alive),
    expected purchases and expected spend per purchase over ``horizon_months`` months of
    DAYS_PER_MONTH days, their product, and ``not_fitted_reason``: why predictions are
    NULL (the model they need was not fitted, or they are not finite), else NULL.
    """
    days = _time_unit_days(time_unit)
    scaled = summary.assign(recency=summary["recency"] / days, T=summary["T"] / days)
    bgnbd_params = None if bgnbd.parameters is None else BgNbdParams(**bgnbd.parameters)
    gamma_gamma_params = (
        None if gamma_gamma.parameters is None else GammaGammaParams(**gamma_gamma.parameters)
    )
    horizon = horizon_months * DAYS_PER_MONTH / days
    with np.errstate(all="ignore"):
        predicted = predict(scaled, bgnbd_params, gamma_gamma_params, horizon)
    out = summary.copy()
    not_fitted = "; ".join(
        f"{fit.model} not fitted: {fit.not_fitted_reason}"
        for fit in (bgnbd, gamma_gamma)
        if fit.parameters is None
    )
    values = predicted[list(PREDICTION_COLUMNS)].astype("float64")
    expected = [  # the columns whose models were fitted
        column
        for column, needs in (
            ("probability_alive", (bgnbd,)),
            ("expected_purchases", (bgnbd,)),
            ("expected_average_order_value", (gamma_gamma,)),
            ("expected_value", (bgnbd, gamma_gamma)),
        )
        if all(fit.parameters is not None for fit in needs)
    ]
    not_finite = (~np.isfinite(values[expected])).any(axis=1)
    not_finite_reason = "a prediction is not finite under the fitted parameters"
    reasons = pd.Series(not_fitted or pd.NA, index=out.index, dtype="string")
    reasons = reasons.mask(
        not_finite,
        f"{not_fitted}; {not_finite_reason}" if not_fitted else not_finite_reason,
    )
    for column in PREDICTION_COLUMNS:
        out[column] = values[column].where(np.isfinite(values[column]))
    out["not_fitted_reason"] = reasons
    return out


# ------------------------------------------------------ the two tables, on either engine

# Where the fit reads and writes, on DuckDB and on Spark alike (the Dagster asset
# clv_fit, orchestration/assets/clv.py; orchestration/spark_clv.py).
SCHEMA = "intermediate"
SUMMARY_TABLE = "int_clv__customer_summary"
AS_OF_TABLE = "int_kpi__as_of"
PARAMETERS_TABLE = "int_clv__model_parameters"
PREDICTIONS_TABLE = "int_clv__predictions"

PARAMETER_COLUMNS = {
    "model": "string",
    "parameter": "string",
    "value": "float64",
    "time_unit": "string",
    "customers": "int64",
    "calibration_end": "datetime64[us]",
    "fitted_at": "datetime64[us]",
    "not_fitted_reason": "string",
}
SUMMARY_COLUMNS = ("customer_key", "frequency", "recency", "T", "monetary_value", "calibration_end")


def model_parameters(
    summary: pd.DataFrame,
    calibration_end,
    fitted_at,
    time_unit: str = "day",
    min_customers: int = 40,
    min_repeat_customers: int = 30,
) -> pd.DataFrame:
    """int_clv__model_parameters: the seven rows (r, alpha, a, b; p, q, v) of the two
    models fitted on `summary` (int_clv__customer_summary with `t` named `T`), in
    `time_unit`; NULL values with not_fitted_reason where a model was not fitted
    (fit_models). `calibration_end` is as_of, `fitted_at` when the fit ran (naive UTC)."""
    fits = fit_models(
        summary,
        time_unit=time_unit,
        min_customers=min_customers,
        min_repeat_customers=min_repeat_customers,
    )
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
        for fit, names in zip(fits, (BGNBD_PARAMETERS, GAMMA_GAMMA_PARAMETERS), strict=True)
        for name in names
    ]
    return pd.DataFrame(rows, columns=list(PARAMETER_COLUMNS)).astype(PARAMETER_COLUMNS)


def customer_predictions(
    summary: pd.DataFrame, parameters: pd.DataFrame, horizon_months: int
) -> pd.DataFrame:
    """int_clv__predictions: the parameters of int_clv__model_parameters (no refit) applied
    to every customer of `summary` (int_clv__customer_summary with `t` named `T`) over
    `horizon_months` months (predict_customers); `t` keeps its published name."""
    time_unit = str(parameters["time_unit"].iloc[0]) if not parameters.empty else "day"
    out = predict_customers(
        summary[list(SUMMARY_COLUMNS)],
        *fits_from_parameters(parameters),
        horizon_months,
        time_unit,
    )
    out = out.rename(columns={"T": "t"})
    out["horizon_months"] = horizon_months
    return out.astype({"horizon_months": "int64", "not_fitted_reason": "string"})


def fit_tables(
    summary: pd.DataFrame, calibration_end, fit: dict[str, object]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two tables from the summary (int_clv__customer_summary as read, `t` included),
    as_of and the fit's settings (`fit`: time_unit, min_customers, min_repeat_customers,
    horizon_months): the parameters, fitted now, then the predictions made with them."""
    summary = summary.rename(columns={"t": "T"})
    parameters = model_parameters(
        summary,
        calibration_end,
        datetime.now(UTC).replace(tzinfo=None),
        time_unit=str(fit["time_unit"]),
        min_customers=int(fit["min_customers"]),
        min_repeat_customers=int(fit["min_repeat_customers"]),
    )
    predictions = customer_predictions(summary, parameters, int(fit["horizon_months"]))
    return parameters, predictions
