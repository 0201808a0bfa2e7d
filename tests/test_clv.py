"""The own BG/NBD and Gamma-Gamma implementation against the CDNOW sample of the papers.

The CDNOW summaries ship inside the `lifetimes` package (a dev dependency used only for its
data: nothing is downloaded). Fader, Hardie & Lee (2005) fit BG/NBD on the first 39 weeks of
2,357 customers, time in weeks: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 (LL -9582.4).
Fader & Hardie (2013) fit Gamma-Gamma on the 946 repeat buyers: p = 6.25, q = 3.74, v = 15.44.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd
import pytest

from orchestration import clv

PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def _cdnow(name: str) -> pd.DataFrame:
    lifetimes_data = pytest.importorskip("lifetimes.datasets")
    path = resources.files(lifetimes_data) / name
    with resources.as_file(path) as csv_path:
        return pd.read_csv(csv_path)


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    return _cdnow("cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def bgnbd_fit(cdnow_summary: pd.DataFrame) -> clv.BgNbdParams:
    s = cdnow_summary
    return clv.fit_bgnbd(s["frequency"], s["recency"], s["T"])


def test_bgnbd_matches_fader_hardie_lee_2005_within_2_percent(bgnbd_fit, cdnow_summary):
    assert len(cdnow_summary) == 2357
    fitted = {"r": bgnbd_fit.r, "alpha": bgnbd_fit.alpha, "a": bgnbd_fit.a, "b": bgnbd_fit.b}
    for name, published in PUBLISHED_BGNBD.items():
        deviation = abs(fitted[name] - published) / published
        assert deviation < 0.02, f"{name}: fitted {fitted[name]:.4f}, published {published}"


def test_bgnbd_log_likelihood_is_the_published_optimum(bgnbd_fit, cdnow_summary):
    s = cdnow_summary
    ll = clv.bgnbd_log_likelihood(bgnbd_fit, s["frequency"], s["recency"], s["T"]).sum()
    assert ll == pytest.approx(-9582.4, abs=0.1)


def test_bgnbd_conditional_expectation_of_a_known_customer(bgnbd_fit):
    # Fader, Hardie & Lee (2005), p. 281: a customer with x = 2, t_x = 30.43, T = 38.86
    # is expected to make 1.226 purchases in the next 39 weeks.
    expected = clv.bgnbd_expected_purchases(bgnbd_fit, 39, [2], [30.43], [38.86])
    assert expected[0] == pytest.approx(1.226, abs=0.002)


def test_probability_alive_is_one_without_repeat_purchases(bgnbd_fit):
    alive = clv.bgnbd_probability_alive(bgnbd_fit, [0, 3], [0, 5.0], [30.0, 30.0])
    assert alive[0] == 1.0
    assert 0 < alive[1] < 1


def test_gamma_gamma_matches_fader_hardie_2013():
    data = _cdnow("cdnow_customers_summary_with_transactions.csv")
    fitted = clv.fit_gamma_gamma(data["x"], data["zbar"])
    assert (data["x"] > 0).sum() == 946
    values = {"p": fitted.p, "q": fitted.q, "v": fitted.v}
    for name, published in PUBLISHED_GAMMA_GAMMA.items():
        # the paper rounds to two decimals; 1 % covers that rounding
        assert abs(values[name] - published) / published < 0.01, (name, values[name])
    # population mean spend per transaction p v / (q - 1), about $35 in the paper
    assert fitted.p * fitted.v / (fitted.q - 1) == pytest.approx(35.2, abs=0.2)


def test_gamma_gamma_likelihood_per_frequency_level_is_the_formula():
    """The fit evaluates the likelihood per frequency level: the same per-customer values
    as the paper's formula, evaluated customer by customer."""
    data = _cdnow("cdnow_customers_summary_with_transactions.csv")
    data = data[data["x"] > 0]
    x, m = data["x"].to_numpy(dtype="float64"), data["zbar"].to_numpy(dtype="float64")
    for params in (clv.GammaGammaParams(6.25, 3.74, 15.44), clv.GammaGammaParams(1.0, 8.0, 100.0)):
        per_level, _ = clv._gamma_gamma_log_likelihood_gradient(params, x, m)
        assert per_level == pytest.approx(clv.gamma_gamma_log_likelihood(params, x, m), rel=1e-12)


@pytest.mark.parametrize("model", ["bg_nbd", "gamma_gamma"])
def test_likelihood_gradients_match_finite_differences(model, cdnow_summary):
    """The fits use analytical gradients: each must be the derivative of its likelihood."""
    from scipy.optimize import approx_fprime

    s = cdnow_summary
    if model == "bg_nbd":
        x, t_x, big_t = (s[c].to_numpy(dtype="float64") for c in ("frequency", "recency", "T"))
        levels, level_of = np.unique(x, return_inverse=True)

        def ll_and_gradient(log_params):
            params = clv.BgNbdParams(*np.exp(log_params))
            return clv._bgnbd_log_likelihood_gradient(params, x, t_x, big_t, levels, level_of)

        points = [np.log([0.243, 4.414, 0.793, 2.426]), np.log([1.0, 10.0, 2.0, 0.5])]
    else:
        data = _cdnow("cdnow_customers_summary_with_transactions.csv")
        data = data[data["x"] > 0]
        x, m = data["x"].to_numpy(dtype="float64"), data["zbar"].to_numpy(dtype="float64")

        def ll_and_gradient(log_params):
            params = clv.GammaGammaParams(*np.exp(log_params))
            return clv._gamma_gamma_log_likelihood_gradient(params, x, m)

        points = [np.log([6.25, 3.74, 15.44]), np.log([1.0, 8.0, 100.0])]
    for point in points:
        analytical = [g.sum() for g in ll_and_gradient(point)[1]]
        numerical = approx_fprime(point, lambda q: ll_and_gradient(q)[0].sum(), 1e-7)
        assert analytical == pytest.approx(numerical, rel=1e-4, abs=1e-3)


def test_fit_does_not_depend_on_row_order(cdnow_summary):
    """Customers are collapsed to their distinct, sorted summaries: the same data in any
    order gives bit-identical parameters (the dbt model reads them in no set order)."""
    s = cdnow_summary
    shuffled = s.sample(frac=1.0, random_state=7)
    fits = [clv.fit_bgnbd(d["frequency"], d["recency"], d["T"]) for d in (s, shuffled)]
    assert fits[0] == fits[1]


def test_summary_counts_same_day_purchases_once():
    transactions = pd.DataFrame(
        {
            "customer_key": ["a", "a", "a", "a", "b"],
            "ordered_at": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 18:00",  # same day: one transaction of 10 + 20
                    "2024-01-11 10:00",
                    "2024-01-31 23:00",
                    "2024-01-20 12:00",
                ]
            ),
            "amount": [10.0, 20.0, 40.0, 60.0, 5.0],
        }
    )
    summary = clv.summarise_transactions(transactions, pd.Timestamp("2024-02-10 08:00"))
    a = summary.set_index("customer_key").loc["a"]
    b = summary.set_index("customer_key").loc["b"]
    assert (a["frequency"], a["recency"], a["T"]) == (2, 30, 40)
    assert a["monetary_value"] == 50.0  # mean of the repeat days 40 and 60
    assert (b["frequency"], b["recency"], b["T"]) == (0, 0, 21)
    assert np.isnan(b["monetary_value"])
    weekly = clv.summarise_transactions(
        transactions, pd.Timestamp("2024-02-10"), time_unit="week"
    ).set_index("customer_key")
    assert weekly.loc["a", "T"] == pytest.approx(40 / 7)


def test_predict_combines_both_models(bgnbd_fit):
    gamma_gamma = clv.GammaGammaParams(p=6.25, q=3.74, v=15.44)
    summary = pd.DataFrame(
        {
            "frequency": [0, 2],
            "recency": [0.0, 30.43],
            "T": [38.86, 38.86],
            "monetary_value": [np.nan, 20.0],
        }
    )
    out = clv.predict(summary, bgnbd_fit, gamma_gamma, horizon=39)
    population_mean = 6.25 * 15.44 / 2.74
    assert out.loc[0, "expected_average_order_value"] == pytest.approx(population_mean)
    weight = 6.25 * 2 / (6.25 * 2 + 2.74)
    assert out.loc[1, "expected_average_order_value"] == pytest.approx(
        (1 - weight) * population_mean + weight * 20.0
    )
    assert out["expected_value"].tolist() == pytest.approx(
        (out["expected_purchases"] * out["expected_average_order_value"]).tolist()
    )
