"""MetricFlow's `mf` against the published release, without its PyPI update check.

    .venv/bin/python -m orchestration.metrics query --metrics nps \
        --group-by metric_time__month,response__touchpoint

(`make metrics ARGS="query ..."` parses the project first.) The same as `mf`, except:

- the dbt target defaults to `release` (profiles.yml): the serving file CXW_SERVING_PATH,
  attached read-only, so `mf` reads the release, never the build file;
- `mf` asks pypi.org for a newer version on every call (update_checker, cached for an
  hour in the temp folder); here that check is switched off.

The metrics are defined once in models/marts/semantic/_semantic__models.yml; `mf` reads
target/semantic_manifest.json, written by `dbt parse --target release`.
"""

from __future__ import annotations

import os
import sys

from .config import REPO_ROOT


def disable_update_check() -> None:
    """Make update_checker report "no update" without asking the network."""
    import update_checker

    update_checker.UpdateChecker.check = lambda self, package_name, package_version: None


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DBT_TARGET", "release")
    os.environ.setdefault("DBT_PROJECT_DIR", str(REPO_ROOT))
    os.environ.setdefault("DBT_PROFILES_DIR", str(REPO_ROOT))
    disable_update_check()
    from dbt_metricflow.cli.main import cli

    cli.main(args=list(sys.argv[1:] if argv is None else argv), prog_name="mf")


if __name__ == "__main__":
    main()
