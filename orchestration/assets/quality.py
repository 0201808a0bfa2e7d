"""Quality gates as asset checks: every GX suite on the asset it guards (raw → marts).

Blocking checks stop the assets downstream of a failed one, the serving release included:
the last good release stays in place. Warning checks are shown and the publish goes on.
"""

from __future__ import annotations

from dagster import AssetChecksDefinition

from ..quality.checks import suite_checks
from ..quality.suites import RELEASE_DRIFT, SUITES
from .clv import clv_fit
from .dbt import cx_dbt_clv_marts, cx_dbt_models
from .ingest import ingest_landing

_dbt_keys = set(cx_dbt_models.keys) | set(cx_dbt_clv_marts.keys)
_known_assets = _dbt_keys | set(clv_fit.keys) | set(ingest_landing.keys)
_mart_keys = sorted(
    (key for key in _dbt_keys if key.path[0] == "marts"),
    key=lambda key: key.to_user_string(),
)

# Suites whose asset is not (yet) a model of the dbt project are left out.
quality_checks: list[AssetChecksDefinition] = suite_checks(
    SUITES,
    known_assets=_known_assets,
    # the release comparison counts the rows of every mart: wait for all of them
    additional_deps={RELEASE_DRIFT.name: _mart_keys},
)
