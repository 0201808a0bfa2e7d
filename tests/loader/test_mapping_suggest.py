"""`cxw mapping suggest` (issue 18): run on each real export without its preset, it proposes
the right delimiter, encoding and timestamp format (what SOURCE.md of each folder says)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from orchestration.cli import main as cxw
from orchestration.loader.mapping import MappingError, check_mappings, load_mapping
from orchestration.loader.suggest import suggest

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-data"

# file, entity -> format, delimiter, encoding, timestamp format, epoch columns (SOURCE.md)
EXPECTED = {
    "online-retail/2010-12-01.csv": ("orders", "csv", ",", "utf-8", "%Y-%m-%d %H:%M:%S", {}),
    "servicenow-incidents/incident_event_log.csv": (
        "tickets", "csv", ",", "utf-8", "%d/%m/%Y %H:%M", {},
    ),
    "boston-311/boston311-100.csv": ("tickets", "csv", ",", "utf-8", "%Y-%m-%d %H:%M:%S", {}),
    "carpentries-instructor-survey/20180908_post_clean.csv": (
        "responses", "csv", ",", "utf-8", "%m/%d/%y %H:%M", {},
    ),
    "carpentrycon-2020-feedback/2020_carpentryconhome_raw.csv": (
        "responses", "csv", ",", "utf-8", None, {},
    ),
    "amazon-fine-food-reviews/Reviews_small.csv": (
        "responses", "csv", ",", "utf-8", None, {"Time": "seconds"},
    ),
    "otto-sessions/train.jsonl": (
        "events", "jsonl", None, "utf-8", None, {"item.ts": "milliseconds"},
    ),
}  # fmt: skip


def test_every_real_file_is_covered() -> None:
    files = {p.relative_to(REAL).as_posix() for p in REAL.glob("*/*") if p.name != "SOURCE.md"}
    # online-retail has eight day files of one shape: the first stands for them
    assert {f for f in files if not f.startswith("online-retail/")} | {
        "online-retail/2010-12-01.csv"
    } == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_suggest_finds_dialect_encoding_and_timestamp_format(name: str) -> None:
    entity, fmt, delimiter, encoding, timestamp, epochs = EXPECTED[name]
    s = suggest(REAL / name, entity)
    assert (s.format, s.delimiter, s.encoding) == (fmt, delimiter, encoding)
    assert s.timestamp_format == timestamp
    assert s.epochs == epochs


def test_suggest_decides_day_first_only_when_a_value_proves_it() -> None:
    # servicenow has 29/2/2016 (only day-first fits); carpentries 6/29/16 (only month-first)
    s = suggest(REAL / "servicenow-incidents/incident_event_log.csv", "tickets")
    assert s.timestamp_formats["opened_at"] == ["%d/%m/%Y %H:%M"]
    assert s.null_values == ["?"]  # SOURCE.md: missing values are written as ?
    assert s.matches["updated_at"] == "sys_updated_at"
    assert s.matches["resolved_at"] == "resolved_at"


def test_suggest_on_an_italian_excel_export(tmp_path: Path) -> None:
    path = tmp_path / "vendite.csv"
    path.write_bytes(
        (
            "Ordine;Cliente;Data;Importo;Stato\n"
            "A-1;Caffè1;05/03/2024 10:30;1.234,50;Pagato\n"
            "A-2;C2;31/03/2024 12:30;0,5;Spedito\n"
            "A-3;C3;06/03/2024 11:00;12,00;Annullato\n"
        ).encode("latin-1")
    )
    s = suggest(path, "orders")
    # 31/03 fits day-first only; the bytes are not UTF-8 (è in Latin-1)
    assert (s.delimiter, s.encoding, s.timestamp_format) == (";", "latin-1", "%d/%m/%Y %H:%M")


def test_the_draft_is_a_mapping_whose_undecided_items_fail_check(tmp_path: Path, capsys) -> None:
    out = tmp_path / "draft.yml"
    name = REAL / "online-retail" / "2010-12-01.csv"
    assert cxw(["mapping", "suggest", str(name), "--entity", "orders", "--out", str(out)]) == 0
    draft = yaml.safe_load(out.read_text())
    assert draft["read"]["delimiter"] == "," and draft["columns"]["order_id"] == "InvoiceNo"
    assert draft["columns"]["amount"] == "TODO"  # an invoice line has no order total
    with pytest.raises(MappingError, match=r"key columns\.status \(line \d+\).*TODO"):
        check_mappings([load_mapping(out)], REAL / "online-retail")
