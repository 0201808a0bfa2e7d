"""The own BG/NBD and Gamma-Gamma implementation against the CDNOW sample of the papers.

The CDNOW summaries ship inside the `lifetimes` package (a dev dependency used only for its
data: nothing is downloaded). Fader, Hardie & Lee (2005) fit BG/NBD on the first 39 weeks of
2,357 customers, time in weeks: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 (LL -9582.4).
Fader & Hardie (2013) fit Gamma-Gamma on the 946 repeat buyers: p = 6.25, q = 3.74, v = 15.44.
"""

from __future__ import annotations

import json
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


# ------------------------------------------------------------- bit-identical refits

# Fits a simulated summary of 30,000 customers (more than 10,000 distinct rows: OpenBLAS
# splits a dot product that long between its threads) in the given row order and prints
# every parameter's bits. Run in a fresh interpreter so the thread counts apply.
_FIT_SCRIPT = """
import sys
import numpy as np
import pandas as pd
from orchestration import clv

rng = np.random.default_rng(11)
n = 30_000
T = np.round(rng.uniform(1.0, 700.0, n), 2)
frequency = rng.poisson(rng.gamma(0.8, 2.0, n)).astype("float64")
recency = np.where(frequency > 0, np.round(rng.uniform(0.0, 1.0, n) * T, 2), 0.0)
spend = np.where(frequency > 0, np.round(rng.gamma(3.0, 20.0, n) / 3.0, 6), np.nan)
summary = pd.DataFrame(
    {"frequency": frequency, "recency": recency, "T": T, "monetary_value": spend}
)
order = np.random.default_rng(int(sys.argv[1])).permutation(n) if sys.argv[1] != "-" else None
if order is not None:
    summary = summary.iloc[order].reset_index(drop=True)
for fit in clv.fit_models(summary, min_customers=40, min_repeat_customers=30):
    assert fit.parameters is not None, fit.not_fitted_reason
    print(fit.model, *(f"{k}={float(v).hex()}" for k, v in fit.parameters.items()))
"""


def _fit_in_subprocess(order: str, threads: int) -> str:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ)
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(threads)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    result = subprocess.run(
        [sys.executable, "-c", _FIT_SCRIPT, order],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_fit_has_the_same_bits_in_any_row_order_and_with_1_or_2_blas_threads():
    """The fit of the same customers gives the same bits whatever the row order and the
    BLAS thread count. Each way the last bits used to move is covered: the start points
    took np.mean of the rows in their order (DuckDB returns them in no set order), and the
    likelihood was summed with np.dot, which OpenBLAS splits between its threads above
    10,000 terms (1 and 2 threads gave different parameters in the 4th-7th digit)."""
    runs = {
        (order, threads): _fit_in_subprocess(order, threads)
        for order, threads in (("-", 1), ("-", 2), ("1", 1), ("2", 2))
    }
    assert len(set(runs.values())) == 1, runs
    assert runs[("-", 1)].count("=0x") == 7  # both models fitted, all seven parameters


# ------------------------------------------------------------------- tiny inputs


def _summary(rows: list[tuple[int, float, float, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["frequency", "recency", "T", "monetary_value"], dtype="float64"
    ).assign(customer_key=[f"c{i}" for i in range(len(rows))])


def test_no_orders_at_all_fits_nothing_and_predicts_no_row():
    fits = clv.fit_models(_summary([]))
    assert [(f.model, f.parameters, f.customers) for f in fits] == [
        ("bg_nbd", None, 0),
        ("gamma_gamma", None, 0),
    ]
    assert fits[0].not_fitted_reason == "no customer has a purchase up to as_of"
    assert fits[1].not_fitted_reason.startswith("0 customer(s) with a repeat purchase")
    predictions = clv.predict_customers(_summary([]), *fits, horizon_months=12)
    assert predictions.empty
    assert "not_fitted_reason" in predictions.columns


def test_one_customer_is_below_the_minimum_and_gets_null_predictions_with_the_reason():
    # one customer, purchases on 3 days: frequency 2, recency 20, T 30, mean spend 15
    one = _summary([(2, 20.0, 30.0, 15.0)])
    bgnbd, gamma_gamma = clv.fit_models(one, min_customers=40, min_repeat_customers=30)
    assert bgnbd.parameters is None and bgnbd.customers == 1
    assert bgnbd.not_fitted_reason == (
        "1 customer(s) with a purchase, fewer than the 40 the fit needs (dbt var clv_min_customers)"
    )
    assert gamma_gamma.parameters is None and gamma_gamma.customers == 1
    out = clv.predict_customers(one, bgnbd, gamma_gamma, horizon_months=12)
    assert out[list(clv.PREDICTION_COLUMNS)].isna().all().all()
    assert out.loc[0, "not_fitted_reason"] == (
        f"bg_nbd not fitted: {bgnbd.not_fitted_reason}; "
        f"gamma_gamma not fitted: {gamma_gamma.not_fitted_reason}"
    )


def test_one_customer_with_the_minimum_lowered_still_publishes_no_nonsense():
    """With clv_min_customers = 1 the single customer is fitted: BG/NBD's optimum is a
    limit of the model (one purchase rate: r and alpha run off together, nobody drops
    out), P(alive) about 1; where the conditional expectation cannot be evaluated at such
    parameters it is NULL with the reason, never NaN or infinity. Gamma-Gamma cannot tell
    spread from one mean spend and is not fitted."""
    one = _summary([(2, 20.0, 30.0, 15.0)])
    bgnbd, gamma_gamma = clv.fit_models(one, min_customers=1, min_repeat_customers=1)
    assert bgnbd.parameters is not None
    assert gamma_gamma.parameters is None
    assert "different mean spends" in gamma_gamma.not_fitted_reason
    out = clv.predict_customers(one, bgnbd, gamma_gamma, horizon_months=12)
    assert out.loc[0, "probability_alive"] == pytest.approx(1.0, abs=1e-3)
    for column in clv.PREDICTION_COLUMNS:
        value = out.loc[0, column]
        assert pd.isna(value) or np.isfinite(value), column
    reason = out.loc[0, "not_fitted_reason"]
    assert reason.startswith("gamma_gamma not fitted: fewer than two")
    if pd.isna(out.loc[0, "expected_purchases"]):
        assert reason.endswith("a prediction is not finite under the fitted parameters")


def test_predictions_that_are_not_finite_are_null_with_the_reason():
    # q = 1.5, p = 1, v = 10: fitted; r = 1e300 makes E[Y] overflow to NaN/inf
    fits = (
        clv.ModelFit("bg_nbd", {"r": 1e300, "alpha": 1.0, "a": 1.0, "b": 1.0}, 1),
        clv.ModelFit("gamma_gamma", {"p": 1.0, "q": 1.5, "v": 10.0}, 1),
    )
    out = clv.predict_customers(_summary([(1, 5.0, 10.0, 20.0)]), *fits, horizon_months=12)
    assert pd.isna(out.loc[0, "expected_purchases"])
    assert out.loc[0, "not_fitted_reason"] == (
        "a prediction is not finite under the fitted parameters"
    )
    # the Gamma-Gamma mean is finite: (1 - w) 20 + w 20 with the population mean
    # p v / (q - 1) = 20 and w = p x / (p x + q - 1) = 1 / 1.5: 20
    assert out.loc[0, "expected_average_order_value"] == pytest.approx(20.0)


def test_no_repeat_buyer_fits_neither_model():
    # 50 customers, each with one purchase day: frequency 0 for all. The BG/NBD likelihood
    # is then prod (alpha / (alpha + T))^r, which grows without end as r -> 0.
    summary = _summary([(0, 0.0, float(10 + i), None) for i in range(50)])
    bgnbd, gamma_gamma = clv.fit_models(summary)
    assert bgnbd.parameters is None and bgnbd.customers == 50
    assert bgnbd.not_fitted_reason == (
        "no customer has a repeat purchase: the purchase rate cannot be estimated"
    )
    assert gamma_gamma.parameters is None and gamma_gamma.customers == 0
    with pytest.raises(clv.NotFitted):
        clv.fit_bgnbd(summary["frequency"], summary["recency"], summary["T"])
    out = clv.predict_customers(summary, bgnbd, gamma_gamma, horizon_months=12)
    assert len(out) == 50 and out["probability_alive"].isna().all()
    assert out["not_fitted_reason"].str.startswith("bg_nbd not fitted: no customer").all()


def test_gamma_gamma_needs_different_mean_spends():
    # every repeat buyer spends 20 per repeat day: no spread between customers to fit
    with pytest.raises(clv.NotFitted, match="different mean spends"):
        clv.fit_gamma_gamma([1, 2, 3], [20.0, 20.0, 20.0])


def test_fitted_models_round_trip_through_their_published_rows(bgnbd_fit):
    rows = pd.DataFrame(
        {
            "model": ["bg_nbd"] * 4 + ["gamma_gamma"] * 3,
            "parameter": ["r", "alpha", "a", "b", "p", "q", "v"],
            "value": [bgnbd_fit.r, bgnbd_fit.alpha, bgnbd_fit.a, bgnbd_fit.b, None, None, None],
            "customers": [2357] * 4 + [1] * 3,
            "not_fitted_reason": [None] * 4 + ["too few"] * 3,
        }
    )
    bgnbd, gamma_gamma = clv.fits_from_parameters(rows)
    assert bgnbd.parameters == vars(bgnbd_fit) and bgnbd.not_fitted_reason is None
    assert gamma_gamma.parameters is None and gamma_gamma.not_fitted_reason == "too few"


# ------------------------------------------------------------ recency and T exactly


def test_recency_and_t_count_calendar_days_as_the_literature_does():
    """First purchase 10:00 on day 1, last 09:00 on day 8, as_of 08:00 on day 10.

    The elapsed times are 6 d 23 h (6.958 days) and 8 d 22 h, and date_diff on the
    timestamps would truncate them to 6 and 8. The contract counts transactions per day
    (same-day purchases are one), so time is measured between purchase days, as
    lifetimes' summary_data_from_transaction_data does with freq='D' (it turns every
    timestamp into its day first): recency = day 8 - day 1 = 7 days, T = day 10 - day 1 =
    9 days; in weeks 1 and 9/7. The two purchases of day 8 (20 and 5) are one of 25.
    """
    transactions = pd.DataFrame(
        {
            "customer_key": ["a", "a", "a"],
            "ordered_at": pd.to_datetime(
                ["2024-01-01 10:00", "2024-01-08 09:00", "2024-01-08 23:00"]
            ),
            "amount": [10.0, 20.0, 5.0],
        }
    )
    as_of = pd.Timestamp("2024-01-10 08:00")
    ours = clv.summarise_transactions(transactions, as_of).set_index("customer_key")
    assert ours.loc["a", ["frequency", "recency", "T", "monetary_value"]].tolist() == [
        1,
        7.0,
        9.0,
        25.0,
    ]
    weekly = clv.summarise_transactions(transactions, as_of, time_unit="week")
    assert weekly.loc[0, "recency"] == 1.0 and weekly.loc[0, "T"] == 9 / 7

    lifetimes_utils = pytest.importorskip("lifetimes.utils")
    theirs = lifetimes_utils.summary_data_from_transaction_data(
        transactions,
        "customer_key",
        "ordered_at",
        monetary_value_col="amount",
        observation_period_end=as_of,
        freq="D",
    )
    assert theirs.loc["a"].tolist() == [1.0, 7.0, 9.0, 25.0]


# ------------------------------------------------ the dbt models, rebuilt bit for bit

DBT_PROJECT_ARGS = ("--project-dir", ".", "--profiles-dir", ".")
# the fit as the Dagster asset clv_fit runs it (assets/clv.py: fit_on_duckdb), in a process of
# its own so that the BLAS thread settings apply from numpy's import
FIT_ON_DUCKDB = (
    "import sys, duckdb; "
    "from orchestration.assets.clv import fit_on_duckdb, fit_settings; "
    "con = duckdb.connect(sys.argv[1]); fit_on_duckdb(con, fit_settings(sys.argv[2])); "
    "con.close()"
)


def _rebuild_clv(pipeline_dir, work_dir, seed: int, threads: int) -> dict[str, list]:
    """Copy the sample warehouse, store int_commerce__orders (the orders the summary
    reads) in a shuffled physical order with DOUBLE amounts (a third of each: not exact in
    binary, so a sum depends on the order of its terms), rebuild the summary, fit the
    models again (the asset clv_fit's code) and rebuild the two CLV marts, with `threads`
    DuckDB and BLAS threads, and return their rows (run timestamps left out), every float
    as its exact bits."""
    import shutil
    import subprocess
    import sys

    import duckdb

    from tests.conftest import DBT, REPO, cxw_env

    warehouse = work_dir / "warehouse" / "cx.duckdb"
    warehouse.parent.mkdir(parents=True)
    shutil.copy(pipeline_dir / "warehouse" / "cx.duckdb", warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute(
        "create or replace table intermediate.int_commerce__orders as "
        "select * replace (cast(amount as double) / 3 as amount, "
        "cast(reporting_amount as double) / 3 as reporting_amount) "
        "from intermediate.int_commerce__orders "
        f"order by hash(order_id || '{seed}')"
    )
    con.close()
    env = cxw_env(
        work_dir,
        CXW_WAREHOUSE_PATH=str(warehouse),
        DBT_TARGET_PATH=str(work_dir / "target"),
        CXW_THREADS=str(threads),
        OPENBLAS_NUM_THREADS=str(threads),
        OMP_NUM_THREADS=str(threads),
    )
    dbt_run = [DBT, "--no-use-colors", "run", *DBT_PROJECT_ARGS, "--select"]
    manifest = work_dir / "target" / "manifest.json"
    steps = (
        [*dbt_run, "int_clv__customer_summary"],
        [sys.executable, "-c", FIT_ON_DUCKDB, str(warehouse), str(manifest)],
        [*dbt_run, "clv_model_parameters", "clv_predictions"],
    )
    for step in steps:
        result = subprocess.run(
            step, cwd=REPO, env=env, capture_output=True, text=True, timeout=900
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {}
        for schema, table, key in (
            ("intermediate", "int_clv__customer_summary", "customer_key"),
            ("marts", "clv_model_parameters", "model, parameter"),
            ("marts", "clv_predictions", "customer_key"),
        ):
            rows = con.execute(
                f"select * exclude (fitted_at) from {schema}.{table} order by {key}"
                if table == "clv_model_parameters"
                else f"select * from {schema}.{table} order by {key}"
            ).fetchall()
            tables[table] = [
                tuple(v.hex() if isinstance(v, float) else v for v in row) for row in rows
            ]
        return tables
    finally:
        con.close()


@pytest.mark.slow
def test_clv_rebuild_is_bit_identical_for_shuffled_rows_and_1_or_2_threads(pipeline_dir, tmp_path):
    """issue 22: two rebuilds of the CLV models on the same orders, stored in different
    orders, with 1 and with 2 DuckDB and BLAS threads, publish the same bits."""
    first = _rebuild_clv(pipeline_dir, tmp_path / "one", seed=1, threads=1)
    second = _rebuild_clv(pipeline_dir, tmp_path / "two", seed=2, threads=2)
    assert first["int_clv__customer_summary"] == second["int_clv__customer_summary"]
    assert first["clv_model_parameters"] == second["clv_model_parameters"]
    assert first["clv_predictions"] == second["clv_predictions"]
    # the fit ran: seven parameter rows, values present on the sample
    assert len(first["clv_model_parameters"]) == 7
    assert all(row[2] is not None for row in first["clv_model_parameters"])
    # and ran again on the new amounts: Gamma-Gamma's scale v follows the spend (a third)
    import duckdb

    con = duckdb.connect(str(pipeline_dir / "warehouse" / "cx.duckdb"), read_only=True)
    try:
        (sample_v,) = con.execute(
            "select value from marts.clv_model_parameters where parameter = 'v'"
        ).fetchone()
    finally:
        con.close()
    (refit_v,) = [float.fromhex(row[2]) for row in first["clv_model_parameters"] if row[1] == "v"]
    assert refit_v == pytest.approx(sample_v / 3, rel=1e-3)


def _write_one_customer_landing(landing) -> None:
    """One customer with every source: orders at 10:00 on 1 May and 09:00 on 8 May 2026,
    a ticket, NPS 9 / CSAT 5 / CES 6 answers, and a web session whose last event, 08:00 on
    10 May, is the latest timestamp of the landing (as_of)."""
    files = {
        "crm/customers/customers_2026-05-10_001.csv": (
            "customer_id,email,phone,first_name,last_name,country,city,signup_channel,"
            "created_at,updated_at,marketing_opt_in\n"
            "C1,ada@example.com,,Ada,Lovelace,GB,London,web,"
            "2026-04-01T09:00:00Z,2026-04-01T09:00:00Z,yes\n"
        ),
        "crm/orders/orders_2026-05-10_001.csv": (
            "order_id,customer_id,ordered_at,channel,status,currency,amount,items_count,"
            "updated_at\n"
            "O1,C1,2026-05-01T10:00:00Z,web,delivered,EUR,100.00,1,2026-05-01T10:00:00Z\n"
            "O2,C1,2026-05-08T09:00:00Z,web,delivered,EUR,50.00,1,2026-05-08T09:00:00Z\n"
        ),
        "crm/tickets/tickets_2026-05-10_001.csv": (
            "ticket_id,customer_id,contact_email,channel,category,priority,opened_at,"
            "first_response_at,resolved_at,status,agent_replies,reopened_count,updated_at\n"
            "T1,C1,,email,delivery,normal,2026-05-02T10:00:00Z,2026-05-02T11:00:00Z,"
            "2026-05-02T12:00:00Z,closed,1,0,2026-05-02T12:00:00Z\n"
        ),
        "survey/responses/responses_2026-05-10_001.csv": (
            "response_id,survey_id,survey_type,submitted_at,customer_id,respondent_email,"
            "touchpoint,channel,score,comment,language,related_id\n"
            "R1,nps_v1,nps,2026-05-03T10:00:00Z,C1,,post_purchase,email,9,,en,O1\n"
            "R2,csat_v1,csat,2026-05-03T10:05:00Z,C1,,support,email,5,,en,T1\n"
            "R3,ces_v1,ces,2026-05-03T10:10:00Z,C1,,support,email,6,,en,T1\n"
        ),
    }
    events = [  # one session with every event type the KPIs read
        ("e1", "2026-05-10T07:50:00Z", "C1", "login"),
        ("e2", "2026-05-10T07:52:00Z", "C1", "help_center_view"),
        ("e3", "2026-05-10T07:55:00Z", "C1", "add_to_cart"),
        ("e4", "2026-05-10T07:58:00Z", "C1", "purchase"),
        ("e5", "2026-05-10T08:00:00Z", "C1", "page_view"),
    ]
    files["web/events/events_2026-05-10_001.jsonl"] = "".join(
        json.dumps(
            {
                "event_id": event_id,
                "event_at": at,
                "anonymous_id": "anon-1",
                "user_id": user_id,
                "email": None,
                "event_type": event_type,
                "page_url": "https://shop.example/",
                "referrer": None,
                "utm_source": None,
                "utm_medium": None,
                "utm_campaign": None,
                "device_type": "desktop",
                "order_id": None,
                "properties": {},
            }
        )
        + "\n"
        for event_id, at, user_id, event_type in events
    )
    for name, text in files.items():
        path = landing / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.mark.slow
def test_pipeline_publishes_clv_for_one_customer_as_null_with_the_reason(tmp_path):
    """issue 17 §1: one customer does not stop the run; the CLV models are published as
    NULL with the rule that left them out, the predictions as NULL with the reason, and
    the summary is the hand-worked one of issue 17 §5: purchases at 10:00 on 1 May and
    09:00 on 8 May, as_of 08:00 on 10 May: frequency 1, recency 7 days, T 9 days, mean
    spend of the repeat day 50."""
    import duckdb

    from tests.conftest import cxw_env, run_cxw

    _write_one_customer_landing(tmp_path / "landing")
    result = run_cxw("run", env=cxw_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "clv" in result.stdout + result.stderr  # the gate's warning names the model
    con = duckdb.connect(str(tmp_path / "serving" / "cx.duckdb"), read_only=True)
    try:
        parameters = con.execute(
            "select model, parameter, value, customers, not_fitted_reason, calibration_end "
            "from marts.clv_model_parameters order by model, parameter"
        ).fetchall()
        predictions = con.execute(
            "select frequency, recency_days, t_days, monetary_value, probability_alive, "
            "expected_value, not_fitted_reason from marts.clv_predictions"
        ).fetchall()
    finally:
        con.close()
    assert [(m, p) for m, p, *_ in parameters] == [
        ("bg_nbd", "a"),
        ("bg_nbd", "alpha"),
        ("bg_nbd", "b"),
        ("bg_nbd", "r"),
        ("gamma_gamma", "p"),
        ("gamma_gamma", "q"),
        ("gamma_gamma", "v"),
    ]
    assert all(value is None for _, _, value, *_ in parameters)
    bgnbd_reason = (
        "1 customer(s) with a purchase, fewer than the 40 the fit needs (dbt var clv_min_customers)"
    )
    gamma_gamma_reason = (
        "1 customer(s) with a repeat purchase, fewer than the 30 the fit needs "
        "(dbt var clv_min_repeat_customers)"
    )
    assert {(m, c, r) for m, _, _, c, r, _ in parameters} == {
        ("bg_nbd", 1, bgnbd_reason),
        ("gamma_gamma", 1, gamma_gamma_reason),
    }
    assert {str(end) for *_, end in parameters} == {"2026-05-10 08:00:00"}
    assert predictions == [
        (
            1,
            7.0,
            9.0,
            50.0,
            None,
            None,
            f"bg_nbd not fitted: {bgnbd_reason}; gamma_gamma not fitted: {gamma_gamma_reason}",
        )
    ]


def test_time_unit_week_reproduces_the_papers_weekly_fit_from_days(cdnow_summary):
    """CDNOW's summary is in weeks; given in days (x 7) and fitted with time_unit='week'
    it must give the published weekly parameters (alpha 4.414 weeks); fitted in days, the
    same model with alpha in days: r, a and b unchanged, alpha about 7 x 4.414 = 30.9."""
    s = cdnow_summary
    in_days = pd.DataFrame(
        {
            "frequency": s["frequency"],
            "recency": s["recency"] * 7,
            "T": s["T"] * 7,
            "monetary_value": np.nan,
        }
    )
    weekly, _ = clv.fit_models(in_days, time_unit="week")
    for name, published in PUBLISHED_BGNBD.items():
        assert weekly.parameters[name] == pytest.approx(published, rel=0.02), name
    daily, _ = clv.fit_models(in_days, time_unit="day")
    assert daily.parameters["alpha"] == pytest.approx(7 * weekly.parameters["alpha"], rel=1e-3)
    for name in ("r", "a", "b"):
        assert daily.parameters[name] == pytest.approx(weekly.parameters[name], rel=1e-3)
    with pytest.raises(ValueError, match="clv_time_unit"):
        clv.fit_models(in_days, time_unit="month")
