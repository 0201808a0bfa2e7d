"""`dbt docs generate` runs cleanly, and every model and every column it finds is described."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import run_dbt


def test_docs_generate_describes_every_model_and_column(pipeline_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    result = run_dbt(pipeline_dir, target, "docs", "generate")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "[WARNING]" not in result.stdout, result.stdout[-3000:]

    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    undocumented = []
    models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed") and node["package_name"] == "cx_warehouse"
    }
    assert len(models) > 30
    for unique_id, node in models.items():
        if not node["description"].strip():
            undocumented.append(unique_id)
        described = {
            name.lower() for name, column in node["columns"].items() if column["description"]
        }
        built = catalog["nodes"].get(unique_id)
        assert built is not None, f"{unique_id} is not in the catalog (not built?)"
        for column in built["columns"]:
            if column.lower() not in described:
                undocumented.append(f"{unique_id}.{column}")
    assert not undocumented, undocumented


def test_one_macro_a_file_named_after_it() -> None:
    """macros/ holds one macro a file, in `<macro name>.sql` (the style guide's rule), so a
    macro is found by its name."""
    macros = Path(__file__).resolve().parent.parent / "macros"
    defined = {
        path.name: re.findall(r"\{%-?\s*macro\s+(\w+)\s*\(", path.read_text())
        for path in sorted(macros.glob("*.sql"))
    }
    assert len(defined) > 20
    wrong = {name: found for name, found in defined.items() if found != [name[: -len(".sql")]]}
    assert not wrong, wrong
