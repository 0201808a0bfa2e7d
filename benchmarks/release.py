"""What the benchmark compares between releases: the rows an incremental run changed
(release_delta), and the floor's KPIs against the pipeline's (compare_kpis)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb


def pipeline_kpis(serving_path: Path) -> dict[str, float | None]:
    if not serving_path.exists():
        return {}
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        rows = con.execute(
            "select kpi, value from marts.kpi_scorecard "
            "where grain = 'all_time' and dimension = 'overall'"
        ).fetchall()
    except duckdb.Error:
        return {}
    finally:
        con.close()
    return dict(rows)


def release_delta(before: Path, after: Path, schema: str = "marts") -> dict:
    """How much of one release another changed, table by table (rows compared whole).

    changed: rows of `after` that `before` does not have (`except all`, so a duplicated row
    counts as often as it is new); removed: rows of `before` that `after` no longer has.
    A table only in `after` is all changed; one only in `before` is all removed.
    """
    con = duckdb.connect()
    try:
        con.execute("attach ? as before_release (read_only)", [str(before)])
        con.execute("attach ? as after_release (read_only)", [str(after)])

        def tables(catalog: str) -> set[str]:
            return {
                name
                for (name,) in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_catalog = ? and table_schema = ?",
                    [catalog, schema],
                ).fetchall()
            }

        def count(sql: str) -> int:
            return con.execute(f"select count(*) from ({sql})").fetchone()[0]

        before_tables, after_tables = tables("before_release"), tables("after_release")
        result: dict[str, dict[str, int]] = {}
        for table in sorted(before_tables | after_tables):
            old = f'before_release.{schema}."{table}"'
            new = f'after_release.{schema}."{table}"'
            rows = count(f"from {new}") if table in after_tables else 0
            if table in before_tables and table in after_tables:
                changed = count(f"from {new} except all from {old}")
                removed = count(f"from {old} except all from {new}")
            else:
                changed = rows
                removed = count(f"from {old}") if table in before_tables else 0
            result[table] = {"rows": rows, "changed": changed, "removed": removed}
    finally:
        con.close()
    rows = sum(t["rows"] for t in result.values())
    changed = sum(t["changed"] for t in result.values())
    return {
        "tables": result,
        "rows": rows,
        "changed": changed,
        "changed_share": round(changed / rows, 4) if rows else None,
    }


def compare_kpis(floor: dict, pipeline: dict) -> dict:
    """Floor against pipeline, KPI by KPI (they differ where the floor stitches less).

    Only the KPIs the floor computes: the floor is the minimum SQL for the contract's
    original KPIs, not for the service-level ones (business hours, SLAs) added later.
    """
    compared = {}
    for kpi in sorted(floor):
        f = floor.get(kpi, {}).get("value")
        p = pipeline.get(kpi)
        f = None if f is None or (isinstance(f, float) and math.isnan(f)) else f
        difference = None
        if f is not None and p is not None:
            difference = abs(f - p) / max(abs(p), 1e-9)
        compared[kpi] = {
            "floor": f,
            "pipeline": p,
            "relative_difference": round(difference, 6) if difference is not None else None,
        }
    return compared
