"""The Great Expectations project: a file context under <data_dir>/gx, Data Docs in <data_dir>/docs.

GX 1.x cannot validate DuckDB through SQLAlchemy (every expectation fails with "list index
out of range"), so the data reaches GX as pandas frames through one pandas datasource;
the frames are bounded (see validate.py). Validation results are stored in the file
context so Data Docs show every suite of the last runs, whichever process ran it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DATASOURCE = "cxw_warehouse"
ASSET = "frames"
BATCH_DEFINITION = "whole_frame"
SITE = "local_site"
# validation results kept per GX suite (older ones leave the store and Data Docs)
KEEP_RESULTS = 10

_contexts: dict[tuple[Path, Path], Any] = {}

# GX logs every metric it computes at INFO, and renders a progress bar per validation.
logging.getLogger("great_expectations").setLevel(logging.WARNING)
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """Serialise changes to the GX project between processes (dagster dev runs checks
    in parallel processes)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".cxw-quality.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _site_config(docs_dir: Path) -> dict[str, Any]:
    return {
        "class_name": "SiteBuilder",
        "show_how_to_buttons": False,
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(docs_dir),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }


def gx_context(data_dir: Path, docs_dir: Path):
    """The file context of this data dir, configured once per process."""
    key = (data_dir.resolve(), docs_dir.resolve())
    if key in _contexts:
        return _contexts[key]
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    with project_lock(data_dir / "gx"):
        context = gx.get_context(mode="file", project_root_dir=str(data_dir))
        site = _site_config(key[1])
        variables = context.variables
        if (variables.data_docs_sites or {}) != {SITE: site} or variables.progress_bars is None:
            variables.data_docs_sites = {SITE: site}
            variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
            variables.save()
            context = gx.get_context(mode="file", project_root_dir=str(data_dir))
        sources = {ds.name for ds in context.data_sources.all().values()}
        if DATASOURCE not in sources:
            datasource = context.data_sources.add_pandas(DATASOURCE)
            datasource.add_dataframe_asset(ASSET).add_batch_definition_whole_dataframe(
                BATCH_DEFINITION
            )
    _contexts[key] = context
    return context


def batch_definition(context):
    return (
        context.data_sources.get(DATASOURCE).get_asset(ASSET).get_batch_definition(BATCH_DEFINITION)
    )


def prune_results(context, docs_dir: Path, suite_names: list[str]) -> None:
    """Keep the newest KEEP_RESULTS validation results of each suite (store and docs)."""
    from great_expectations.data_context.types.resource_identifiers import (
        ValidationResultIdentifier,
    )

    store = context.validation_results_store
    keys = [
        key
        for key in store.list_keys()
        if isinstance(key, ValidationResultIdentifier)
        and key.expectation_suite_identifier.name in suite_names
    ]
    by_suite: dict[str, list] = {}
    for key in keys:
        by_suite.setdefault(key.expectation_suite_identifier.name, []).append(key)
    for suite_keys in by_suite.values():
        suite_keys.sort(key=lambda k: str(k.run_id.run_time), reverse=True)
        for old in suite_keys[KEEP_RESULTS:]:
            store.remove_key(old)
            page = docs_dir / "validations" / Path(*old.to_tuple()[:-1])
            page_file = page / f"{old.to_tuple()[-1]}.html"
            page_file.unlink(missing_ok=True)
            if page.exists() and not any(page.iterdir()):
                shutil.rmtree(page, ignore_errors=True)
