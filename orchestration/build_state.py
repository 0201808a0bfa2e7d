"""What a release was built from, so that a run with nothing new ends in seconds.

A release records its build fingerprint (meta.release.build_fingerprint): a sha256 of
- the load batches in raw.load_log (every file handled so far, by content hash),
- the project's code and configuration: the dbt project (dbt_project.yml with its vars,
  profiles.yml, models, macros, seeds, dbt tests) and the orchestration package (loader,
  quality suites, publish),
- the settings that change what is built (source time zones, whether pii is published,
  the source mappings applied: their paths and contents, the engine: CXW_ENGINE).
A run whose landing folder has no unhandled file and whose fingerprint equals the current
release's would rebuild the same release: it says so and stops (`cxw run --full-refresh`
always rebuilds).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb

from .config import REPO_ROOT, Settings
from .loader.load import nothing_to_load
from .loader.pending import unhandled_files

# Environment variables dbt_project.yml reads into vars: a change rebuilds.
REPORTING_VARIABLES = ("CXW_REPORTING_CURRENCY", "CXW_REPORTING_TIME_ZONE")

# The dbt project, relative to the repository: what dbt's manifest is parsed from.
DBT_PROJECT_PATHS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")
# What the build is made of, relative to the repository.
PROJECT_PATHS = (*DBT_PROJECT_PATHS, "orchestration")


def _project_files(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = REPO_ROOT / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p
                for p in path.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            )
    return sorted(files)


def code_fingerprint(paths: tuple[str, ...] = PROJECT_PATHS) -> str:
    """sha256 of every file under `paths` (default: all the build is made of), path and
    content; DBT_PROJECT_PATHS: what the dbt manifest is parsed from."""
    digest = hashlib.sha256()
    for path in _project_files(paths):
        digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def build_fingerprint(con: duckdb.DuckDBPyConnection, s: Settings) -> str:
    """The fingerprint of a build of the warehouse `con` with the settings `s` (see above)."""
    digest = hashlib.sha256(code_fingerprint().encode())
    batches = con.execute(
        "select batch_id, status from raw.load_log order by batch_id, status"
    ).fetchall()
    for batch_id, status in batches:
        digest.update(f"{batch_id}|{status}\n".encode())
    for source, zone in sorted(s.source_time_zones.items()):
        digest.update(f"tz {source}={zone}\n".encode())
    digest.update(f"publish_pii={s.publish_pii}\n".encode())
    # the engine dbt builds on: switching it rebuilds, though the marts must be the same
    digest.update(f"engine={s.engine}\n".encode())
    # dbt vars read from the environment (dbt_project.yml)
    for name in REPORTING_VARIABLES:
        digest.update(f"{name}={os.environ.get(name, '')}\n".encode())
    for mapping in s.mappings:
        content = hashlib.sha256(mapping.read_bytes()).hexdigest() if mapping.exists() else "-"
        digest.update(f"mapping {mapping}={content}\n".encode())
    return digest.hexdigest()


def released_fingerprint(serving_path: Path) -> str | None:
    """The build fingerprint of the current release, or None (no release, or an older one
    that did not record it)."""
    if not serving_path.exists():
        return None
    with duckdb.connect(str(serving_path), read_only=True) as con:
        columns = {
            name
            for (name,) in con.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'meta' and table_name = 'release'"
            ).fetchall()
        }
        if "build_fingerprint" not in columns:
            return None
        row = con.execute("select build_fingerprint from meta.release").fetchone()
    return row[0] if row else None


def up_to_date_release(s: Settings) -> str | None:
    """The current release's id when a run now would rebuild it unchanged, else None.

    Unchanged means: no landing file that no run has handled, and the build fingerprint
    of the warehouse as it stands equals the release's. Reads the warehouse read-only;
    a warehouse another process is writing counts as changing (None).
    """
    released = released_fingerprint(s.serving_path)
    if released is None or not s.warehouse_path.exists():
        return None
    try:
        con = duckdb.connect(str(s.warehouse_path), read_only=True)
    except duckdb.IOException:  # another process holds the write lock: a run is going on
        return None
    with con:
        if unhandled_files(con, s.landing_dir) or build_fingerprint(con, s) != released:
            return None
    with duckdb.connect(str(s.serving_path), read_only=True) as release:
        (release_id,) = release.execute("select release_id from meta.release").fetchone()
    return release_id


def nothing_to_load_message(s: Settings) -> str | None:
    """Why no run is needed on a new install before its first extract (no entity has a file
    in the landing folder and the warehouse never loaded one: a run would only fail in dbt,
    which has no date to report as of), or None. With source mappings the run goes on: they
    load files from anywhere under the landing folder."""
    if s.mappings or not nothing_to_load(s.landing_dir, s.warehouse_path):
        return None
    return (
        f"nothing to load: {s.landing_dir} holds no extract yet (a new install before the "
        "first extract); nothing published. Land the extracts (README: Pointing it at "
        "real extracts) and run again."
    )
