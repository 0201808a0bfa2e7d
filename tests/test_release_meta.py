"""What a release says about itself: as_of and the quality warnings of the run behind it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    asset,
    materialize,
    multi_asset_check,
)

from orchestration import serving
from orchestration.assets.publish import publish_asset
from orchestration.resources import WarehouseResource

MART = AssetKey(["marts", "kpi_scorecard"])


def write_warehouse(path: Path, *, with_as_of: bool) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.kpi_scorecard as select 'nps' as kpi, 12.5 as value")
    if with_as_of:
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_kpi__as_of as "
            "select timestamp '2026-10-31 23:54:49' as as_of_at, false as is_from_var"
        )
    con.close()


def read_meta(serving_path: Path) -> tuple[tuple, list[tuple]]:
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        release = con.execute("select release_id, as_of from meta.release").fetchone()
        warnings = con.execute(
            "select asset, check_name, description from meta.quality_warnings order by 2"
        ).fetchall()
    finally:
        con.close()
    return release, warnings


def test_release_records_as_of_and_warnings(tmp_path: Path) -> None:
    warehouse, serving_path = tmp_path / "wh.duckdb", tmp_path / "serving" / "cx.duckdb"
    write_warehouse(warehouse, with_as_of=True)
    warning = serving.QualityWarning("marts/kpi_scorecard", "drift_warnings", "NPS moved 20")
    release = serving.publish(warehouse, serving_path, quality_warnings=[warning])
    (release_id, as_of), warnings = read_meta(serving_path)
    assert release_id == release.release_id
    assert as_of == datetime(2026, 10, 31, 23, 54, 49)
    assert warnings == [("marts/kpi_scorecard", "drift_warnings", "NPS moved 20")]


def test_release_without_as_of_model_or_warnings(tmp_path: Path) -> None:
    warehouse, serving_path = tmp_path / "wh.duckdb", tmp_path / "serving" / "cx.duckdb"
    write_warehouse(warehouse, with_as_of=False)
    serving.publish(warehouse, serving_path)
    (_, as_of), warnings = read_meta(serving_path)
    assert as_of is None
    assert warnings == []


def test_publish_asset_stores_the_runs_failed_warning_checks(tmp_path: Path, monkeypatch) -> None:
    """A Dagster run: one warning check fails, one passes, one blocking check passes."""
    monkeypatch.setenv("CXW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CXW_WAREHOUSE_PATH", str(tmp_path / "warehouse" / "cx.duckdb"))
    monkeypatch.delenv("CXW_SERVING_PATH", raising=False)
    (tmp_path / "warehouse").mkdir()
    write_warehouse(tmp_path / "warehouse" / "cx.duckdb", with_as_of=True)
    con = duckdb.connect(str(tmp_path / "warehouse" / "cx.duckdb"))
    con.execute("create schema raw")  # the publish fingerprints the load batches
    con.execute("create table raw.load_log (batch_id varchar, status varchar)")
    con.close()

    @asset(key=MART)
    def kpi_scorecard() -> None:
        """Stands in for dbt: the table is already in the file."""

    @multi_asset_check(
        specs=[
            AssetCheckSpec("drift", asset=MART, blocking=True),
            AssetCheckSpec("drift_warnings", asset=MART, blocking=True),
            AssetCheckSpec("volume_warnings", asset=MART, blocking=True),
        ]
    )
    def checks():
        yield AssetCheckResult(asset_key=MART, check_name="drift", passed=True)
        yield AssetCheckResult(
            asset_key=MART,
            check_name="drift_warnings",
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description="overall NPS moved 20 points",
        )
        yield AssetCheckResult(
            asset_key=MART,
            check_name="volume_warnings",
            passed=True,
            severity=AssetCheckSeverity.WARN,
        )

    result = materialize(
        [kpi_scorecard, checks, publish_asset([MART])],
        resources={"warehouse": WarehouseResource(lock_wait_seconds=0)},
    )
    assert result.success
    _, warnings = read_meta(tmp_path / "serving" / "cx.duckdb")
    assert warnings == [("marts/kpi_scorecard", "drift_warnings", "overall NPS moved 20 points")]
