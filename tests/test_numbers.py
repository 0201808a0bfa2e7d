"""Numbers as tools write them (issue 17 §7b), through the real loader and `dbt build`.

Six orders whose amounts a dataframe computed: three in a CSV written by pandas
(`to_csv` writes a float's 17 significant digits), three in a Parquet float (DOUBLE)
column. Before the fix the loader quarantined every amount with more than 6 decimals:
4 of the 6 orders were lost and AOV was (53.73 + 19.99) / 2 = 36.86.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from orchestration.loader import load_landing
from tests.conftest import run_dbt

pytestmark = pytest.mark.timeout(600)

CUSTOMERS = """customer_id,email,created_at,updated_at
c1,a@example.com,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z
c2,b@example.com,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z
c3,c@example.com,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z
"""
# 3 x 9.95, a 53.73 total, 100 / 3 (a split payment), as pandas writes them
ORDERS_CSV = """order_id,customer_id,ordered_at,status,amount,items_count
o1,c1,2024-03-01T10:00:00Z,paid,29.849999999999998,3.0
o2,c1,2024-03-02T10:00:00Z,paid,53.73,1.0
o3,c2,2024-03-03T10:00:00Z,delivered,33.333333333333336,1.0
"""
# 19.99, 3 x 19.9 and 1.1 x 1.1 in a DOUBLE column
ORDERS_PARQUET = [
    ("o4", "c2", "2024-03-04 10:00:00", "paid", "19.99"),
    ("o5", "c3", "2024-03-05 10:00:00", "shipped", "59.699999999999996"),
    ("o6", "c3", "2024-03-06 10:00:00", "paid", "1.2100000000000002"),
]
# Revenue, added exactly by hand:
#   29.849999999999998 + 53.73              =  83.579999999999998
#   + 33.333333333333336                    = 116.913333333333334
#   + 19.99                                 = 136.903333333333334
#   + 59.699999999999996                    = 196.603333333333330
#   + 1.2100000000000002                    = 197.8133333333333302
REVENUE = Decimal("197.8133333333333302")
AOV = REVENUE / 6  # 32.968888888888888366...: 6 orders
CLV = REVENUE / 3  # 65.937777777777776733...: 3 buyers (two orders each)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    data_dir = tmp_path_factory.mktemp("numbers")
    landing = data_dir / "landing"
    for rel, text in [("crm/customers/c.csv", CUSTOMERS), ("crm/orders/a.csv", ORDERS_CSV)]:
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
        (landing / rel).write_text(text, encoding="utf-8")
    path = data_dir / "warehouse" / "cx.duckdb"
    path.parent.mkdir(parents=True)
    con = duckdb.connect(str(path))
    values = ", ".join(
        f"('{o}', '{c}', timestamp '{t}', '{s}', {a}::double)" for o, c, t, s, a in ORDERS_PARQUET
    )
    parquet = landing / "crm" / "orders" / "b.parquet"
    con.execute(
        f"copy (select * from (values {values}) t(order_id, customer_id, ordered_at, status, "
        f"amount)) to '{parquet}' (format parquet)"
    )
    report = load_landing(con, landing)
    con.close()
    built = run_dbt(
        data_dir, data_dir / "target", "build", "--select", "+int_kpi__orders",
        "--resource-type", "seed", "--resource-type", "model",
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-2000:]
    con = duckdb.connect(str(path), read_only=True)
    yield con, report
    con.close()


def _kpi(con, kpi: str) -> float:
    (value,) = con.execute(
        "select value from intermediate.int_kpi__orders where kpi = ? and grain = 'all_time' "
        "and dimension = 'overall'",
        [kpi],
    ).fetchone()
    return value


def test_all_six_orders_load_with_their_exact_amounts(warehouse) -> None:
    con, report = warehouse
    assert report.rows_quarantined == 0
    assert con.execute("select count(*) from raw.crm_orders").fetchone() == (6,)
    # exact decimal addition: the same sum in any order, on every run
    assert con.execute("select sum(amount) from staging.stg_crm__orders").fetchone() == (REVENUE,)
    assert con.execute(
        "select amount from raw.crm_orders where order_id in ('o1', 'o5') order by order_id"
    ).fetchall() == [(Decimal("29.849999999999998"),), (Decimal("59.699999999999996"),)]


def test_aov_and_clv_count_every_order(warehouse) -> None:
    con, _ = warehouse
    assert _kpi(con, "average_order_value") == pytest.approx(float(AOV), rel=1e-15)
    assert _kpi(con, "customer_lifetime_value") == pytest.approx(float(CLV), rel=1e-15)
