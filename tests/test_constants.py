"""orchestration/constants.py: the one reader of the business constants (dbt vars,
seeds/kpis.csv, the listed vocabulary values), and no threshold written in the SQL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestration import constants
from orchestration.generator import vocab as generator_vocab
from orchestration.quality.params import suite_params

REPO = Path(__file__).resolve().parent.parent


def test_dbt_var_reads_the_project_file_and_sees_an_edit(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project.yml"
    project.write_text("name: x\nvars:\n  churn_days: 90\n  as_of: null\n")
    assert constants.dbt_var("churn_days", project) == 90
    assert constants.dbt_var("as_of", project) is None
    # an edit is read again (a longer file: the size changes even within one mtime tick)
    project.write_text("name: x\nvars:\n  churn_days: 120\n  as_of: '2025-01-01'\n")
    assert constants.dbt_var("churn_days", project) == 120
    with pytest.raises(KeyError, match=r"session_timeout_minutes.*dbt_project\.yml"):
        constants.dbt_var("session_timeout_minutes", project)


def test_kpis_reads_the_seed_with_open_bounds(tmp_path: Path) -> None:
    seed = tmp_path / "kpis.csv"
    seed.write_text("kpi,domain,input,min_value,max_value\nnps,survey,NPS answers,-100,100\n"
                    "purchase_frequency,orders,orders,1,\n")  # fmt: skip
    nps, frequency = constants.kpis(seed)
    assert (nps.name, nps.domain, nps.min_value, nps.max_value) == ("nps", "survey", -100, 100)
    assert (frequency.min_value, frequency.max_value) == (1.0, None)
    assert nps.missing_input_message == "nps: no NPS answers loaded"


def test_the_homes_hold_what_the_independent_tests_assume() -> None:
    """tests/test_kpis.py keeps its own copies on purpose; here they meet the homes."""
    from tests import test_kpis

    assert constants.dbt_var("churn_days") == test_kpis.CHURN_DAYS
    assert constants.dbt_var("session_timeout_minutes") * 60 == test_kpis.SESSION_TIMEOUT_SECONDS
    assert constants.dbt_var("nps_promoter_min_score") == test_kpis.NPS_PROMOTER_MIN
    assert constants.dbt_var("nps_passive_min_score") == test_kpis.NPS_DETRACTOR_MAX + 1
    assert constants.dbt_var("csat_satisfied_min_score") == test_kpis.CSAT_SATISFIED_MIN
    assert constants.dbt_var("self_service_ticket_window_hours") == (
        test_kpis.SELF_SERVICE_WINDOW.total_seconds() / 3600
    )
    assert [k.name for k in constants.kpis()][:3] == ["nps", "csat", "ces"]


def test_quality_and_generator_read_the_homes() -> None:
    assert suite_params()["future_tolerance_minutes"] == constants.dbt_var(
        "future_tolerance_minutes"
    )
    assert constants.listed("order_channel") == generator_vocab.ORDER_CHANNELS
    assert constants.listed("device_type") == generator_vocab.DEVICE_TYPES
    assert len(generator_vocab.TICKET_CHANNELS) == len(generator_vocab.TICKET_CHANNEL_WEIGHTS)


# A comparison of a survey score with a number, or a fixed hour window: thresholds belong
# in dbt vars (dbt_project.yml). `>= 0` (the lowest NPS score) is the scale, not a rule.
LITERAL_THRESHOLD = re.compile(r"score\s*(>=|<=|>|<)\s*[1-9]|'hour',\s*\d+\b")


def test_no_threshold_is_written_in_the_sql() -> None:
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for folder in ("models", "macros")
        for path in sorted((REPO / folder).rglob("*.sql"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if LITERAL_THRESHOLD.search(line)
    ]
    assert not found, "thresholds written in SQL, use a dbt var:\n" + "\n".join(found)
