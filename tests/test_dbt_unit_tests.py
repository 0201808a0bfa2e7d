"""dbt unit tests: left out of the pipeline's `dbt build` (as dbt recommends for
production), so CI runs every one of them here, against the sample warehouse."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_dbt


def _run_results(target: Path) -> list[dict]:
    return [
        result
        for path in sorted(target.rglob("run_results.json"))
        for result in json.loads(path.read_text())["results"]
    ]


def test_pipeline_build_leaves_unit_tests_out(pipeline_dir: Path) -> None:
    results = _run_results(pipeline_dir / "target")
    assert any(r["unique_id"].startswith("model.") for r in results)
    assert not [r["unique_id"] for r in results if r["unique_id"].startswith("unit_test.")]


def test_every_dbt_unit_test_passes(pipeline_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    result = run_dbt(pipeline_dir, target, "test", "--select", "test_type:unit")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    manifest = json.loads((target / "manifest.json").read_text())
    declared = set(manifest["unit_tests"])
    # the project's on-run-start hook (register_raw_sources) reports a result of its own
    results = {
        r["unique_id"]: r["status"]
        for r in _run_results(target)
        if r["unique_id"].startswith("unit_test.")
    }
    assert len(declared) >= 20
    assert set(results) == declared
    assert set(results.values()) == {"pass"}, results
