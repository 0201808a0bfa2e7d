"""The business constants, read from their one home by Python (quality suites, generator,
tests); the dbt models read the same homes (`var(...)`, `ref('kpis')`, the vocabulary seed).

- thresholds and limits: the dbt vars of dbt_project.yml (`churn_days`,
  `session_timeout_minutes`, `csat_satisfied_min_score`, the NPS bands, ...):
  `dbt_var("churn_days")` -> 180;
- the KPIs of the serving contract: seeds/kpis.csv, `kpis()` -> tuple of `Kpi`;
- the listed values of a vocabulary: seeds/vocabulary.csv, `listed("order_channel")`
  -> ("web", "app", ...), in seed order (orchestration/vocabulary.py reads the synonyms).

Each call reads the file again when it changed (a long-running Dagster process sees an
edit). A var whose value is a Jinja expression (`reporting_currency`) is returned as
written: read those through dbt.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .config import REPO_ROOT
from .vocabulary import vocabulary

DBT_PROJECT = REPO_ROOT / "dbt_project.yml"
KPI_SEED = REPO_ROOT / "seeds" / "kpis.csv"


@dataclass(frozen=True)
class Kpi:
    """One row of seeds/kpis.csv: a KPI, its domain, what it is computed over, its range."""

    name: str
    domain: str  # survey, orders, web or service
    input: str  # e.g. "CES answers": the warning says "ces: no CES answers loaded"
    min_value: float | None
    max_value: float | None

    @property
    def missing_input_message(self) -> str:
        return f"{self.name}: no {self.input} loaded"


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=4)
def _vars(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        project = yaml.safe_load(handle) or {}
    return dict(project.get("vars") or {})


def dbt_var(name: str, path: Path = DBT_PROJECT) -> Any:
    """The value of a dbt var in dbt_project.yml (KeyError names the file when absent)."""
    found = _vars(*_stamp(Path(path)))
    if name not in found:
        raise KeyError(f"dbt var {name!r} is not set under vars: in {path}")
    return found[name]


def _bound(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=4)
def _kpis(path: str, mtime_ns: int, size: int) -> tuple[Kpi, ...]:
    with open(path, newline="", encoding="utf-8") as handle:
        return tuple(
            Kpi(
                name=row["kpi"],
                domain=row["domain"],
                input=row["input"],
                min_value=_bound(row["min_value"]),
                max_value=_bound(row["max_value"]),
            )
            for row in csv.DictReader(handle)
        )


def kpis(path: Path = KPI_SEED) -> tuple[Kpi, ...]:
    """The KPIs of seeds/kpis.csv, in the seed's order."""
    return _kpis(*_stamp(Path(path)))


def listed(name: str) -> tuple[str, ...]:
    """The listed values of a vocabulary of seeds/vocabulary.csv, in seed order."""
    return vocabulary(name).listed
