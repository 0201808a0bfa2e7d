"""The sample generator: deterministic, contract-shaped files and an exact ground truth."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections import Counter
from pathlib import Path

import pytest

from orchestration.generator import generate
from orchestration.generator.formats import normalise_email, normalise_phone
from orchestration.loader.contract import ENTITIES, FILE_REASONS, ROW_REASONS

SMALL = {"customers": 300, "days": 90, "seed": 7}


def tree_digest(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def read_text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(".gz") else data).decode("utf-8")


def records(path: Path) -> list[tuple[int, object]]:
    """(physical start line, parsed record) of every record; CSV header excluded."""
    text = read_text(path)
    if ".jsonl" in path.name:
        out: list[tuple[int, object]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                out.append((number, json.loads(line)))
            except json.JSONDecodeError:
                out.append((number, line))
        return out
    reader = csv.reader(io.StringIO(text, newline=""))
    out, line = [], 1
    next(reader)
    for row in reader:
        out.append((line + 1, row))
        line = reader.line_num
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    root = tmp_path_factory.mktemp("gen")
    summary = generate(root / "landing", **SMALL)
    return root / "landing", root / "ground_truth", summary


def landing_files(landing: Path) -> list[Path]:
    return sorted(p for p in landing.rglob("*") if p.is_file())


def bad_files(truth: Path) -> dict[str, str]:
    with (truth / "bad_files.csv").open() as handle:
        return {r["file_path"]: r["reason_code"] for r in csv.DictReader(handle)}


def test_same_seed_gives_byte_identical_trees(sample, tmp_path: Path) -> None:
    landing, truth, _ = sample
    generate(tmp_path / "a" / "landing", **SMALL, workers=3)  # several processes: same bytes
    assert tree_digest(tmp_path / "a" / "landing") == tree_digest(landing)
    assert tree_digest(tmp_path / "a" / "ground_truth") == tree_digest(truth)


def test_other_seed_gives_other_data(sample, tmp_path: Path) -> None:
    landing, _, _ = sample
    generate(tmp_path / "b" / "landing", **{**SMALL, "seed": 8})
    other = tree_digest(tmp_path / "b" / "landing")
    same = tree_digest(landing)
    assert set(other) == set(same)
    assert sum(other[k] != same[k] for k in same) > len(same) - 2  # the empty file is equal


def test_refuses_to_mix_with_existing_files(sample) -> None:
    landing, _, _ = sample
    with pytest.raises(FileExistsError):
        generate(landing, **SMALL)


def test_layout_and_headers_follow_the_contract(sample) -> None:
    landing, truth, _ = sample
    rejected = bad_files(truth)
    for entity in ENTITIES:
        files = sorted((landing / entity.folder).iterdir())
        assert len(files) >= 3, entity.folder
        assert all(f.name.endswith(entity.formats) for f in files)
        for path in files:
            relative = path.relative_to(landing).as_posix()
            if relative in rejected:
                continue
            parsed = records(path)
            assert parsed, relative
            if entity.name == "web_events":
                keys = set().union(*(r.keys() for _, r in parsed if isinstance(r, dict)))
            else:
                keys = set(read_text(path).splitlines()[0].split(","))
            assert set(entity.required_columns) <= keys, relative
    assert any(p.name.endswith(".jsonl.gz") for p in (landing / "web/events").iterdir())
    assert any(p.name.endswith(".jsonl") for p in (landing / "web/events").iterdir())


def test_every_bad_row_is_at_its_line_with_a_known_reason(sample) -> None:
    landing, truth, _ = sample
    with (truth / "bad_rows.csv").open() as handle:
        bad = list(csv.DictReader(handle))
    assert {r["reason_code"] for r in bad} == set(ROW_REASONS)  # every class shows up
    by_file: dict[str, dict[int, str]] = {}
    for row in bad:
        by_file.setdefault(row["file_path"], {})[int(row["line"])] = row["reason_code"]
    for relative, lines in by_file.items():
        parsed = dict(records(landing / relative))
        entity = next(e for e in ENTITIES if relative.startswith(e.folder + "/"))
        for line, reason in lines.items():
            assert line in parsed, (relative, line)  # a record starts at that line
            record = parsed[line]
            if reason == "malformed_record":
                malformed = isinstance(record, str) or len(record) != len(entity.columns)
                assert malformed, (relative, line)
            elif isinstance(record, list):
                assert len(record) == len(entity.columns), (relative, line)
        # the valid records of the file have the right shape
        for line, record in parsed.items():
            if line not in lines and isinstance(record, list):
                assert len(record) == len(entity.columns), (relative, line)


def test_bad_files_are_what_the_truth_says(sample) -> None:
    landing, truth, _ = sample
    rejected = bad_files(truth)
    assert sorted(rejected.values()) == sorted(FILE_REASONS)
    for relative, reason in rejected.items():
        data = (landing / relative).read_bytes()
        if reason == "not_utf8":
            with pytest.raises(UnicodeDecodeError):
                data.decode("utf-8")
        elif reason == "unreadable":
            assert data == b""
        else:
            assert "amount" not in data.decode().splitlines()[0].split(",")


def test_summary_counts_match_the_files(sample) -> None:
    landing, truth, summary = sample
    assert json.loads((truth / "summary.json").read_text()) == summary
    rejected = bad_files(truth)
    counted: Counter[str] = Counter()
    for entity in ENTITIES:
        for path in (landing / entity.folder).iterdir():
            if path.relative_to(landing).as_posix() not in rejected:
                counted[entity.name] += len(records(path))
    assert dict(counted) == summary["rows"]
    with (truth / "bad_rows.csv").open() as handle:
        bad = Counter(r["entity"] for r in csv.DictReader(handle))
    assert {e: summary["rows"][e] - summary["valid_rows"][e] for e in counted} == {
        e: bad[e] for e in counted
    }
    assert summary["multiline_comments"] >= 3
    assert summary["duplicate_web_events"] >= 3 and summary["duplicate_survey_responses"] >= 3


def read_identities(truth: Path) -> list[dict[str, str]]:
    with (truth / "identities.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_identities_are_disjoint_and_shared_ones_excluded(sample) -> None:
    _, truth, summary = sample
    rows = read_identities(truth)
    owners: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        owners.setdefault((row["identifier_type"], row["identifier_value"]), set()).add(
            row["person_id"]
        )
    assert all(len(people) == 1 for people in owners.values())
    assert len({r["person_id"] for r in rows}) == summary["persons"]
    with (truth / "shared_identifiers.csv").open() as handle:
        shared = list(csv.DictReader(handle))
    assert any(int(r["persons"]) > 5 for r in shared if r["identifier_type"] == "email")
    assert {r["identifier_type"] for r in shared} == {"email", "phone"}
    assert not {(r["identifier_type"], r["identifier_value"]) for r in shared} & set(owners)


def test_identifiers_in_the_data_are_all_accounted_for(sample) -> None:
    """Every email / phone / customer id / anonymous id in valid rows is in the truth."""
    landing, truth, _ = sample
    known = {(r["identifier_type"], r["identifier_value"]) for r in read_identities(truth)}
    with (truth / "shared_identifiers.csv").open() as handle:
        known |= {(r["identifier_type"], r["identifier_value"]) for r in csv.DictReader(handle)}
    rejected = set(bad_files(truth))
    with (truth / "bad_rows.csv").open() as handle:
        bad = {(r["file_path"], int(r["line"])) for r in csv.DictReader(handle)}
    fields = {
        "crm_customers": {0: "crm_customer_id", 1: "email", 2: "phone"},
        "crm_orders": {1: "crm_customer_id"},
        "crm_tickets": {1: "crm_customer_id", 2: "email"},
        "survey_responses": {4: "crm_customer_id", 5: "email"},
    }
    seen: Counter[str] = Counter()
    for entity in ENTITIES:
        for path in (landing / entity.folder).iterdir():
            relative = path.relative_to(landing).as_posix()
            if relative in rejected:
                continue
            for line, record in records(path):
                if (relative, line) in bad:
                    continue
                if isinstance(record, dict):
                    values = [("anonymous_id", record["anonymous_id"])]
                    if record["user_id"]:
                        values.append(("crm_customer_id", record["user_id"]))
                    if record["email"]:
                        values.append(("email", record["email"]))
                else:
                    values = [(kind, record[i]) for i, kind in fields[entity.name].items()]
                for kind, value in values:
                    if not value:
                        continue
                    if kind == "email":
                        value = normalise_email(value)
                    elif kind == "phone":
                        value = normalise_phone(value)
                    seen[kind] += 1
                    assert (kind, value) in known, (relative, line, kind, value)
    assert min(seen.values()) > 0


def test_every_generated_phone_is_valid_and_normalises_like_the_warehouse() -> None:
    """The sample's numbers are valid for libphonenumber and every spelling the generator
    writes gives the truth's E.164 in the warehouse (orchestration.identifiers), so the
    identity evaluation can reach recall 1 (an invalid number never links)."""
    from orchestration.generator.formats import phone_spelling
    from orchestration.generator.people import COUNTRY_INFO, Person, _national_number
    from orchestration.identifiers import normalize_phone

    for country in COUNTRY_INFO:
        for index in (0, 1, 7, 999, 123_456, 999_999):
            person = Person(index, country, "en", "A", "B", 0, "web")
            code, national = _national_number(person)
            truth = normalise_phone(phone_spelling(code, national, 0))
            for variant in range(6):
                spelled = phone_spelling(code, national, variant)
                assert normalize_phone(spelled, "IT") == truth, (country, spelled)


def test_phone_spellings_normalise_like_the_dbt_macro() -> None:
    for spelling in ("+39 333 123 4567", "0039 3331234567", "333-123-4567", "3331234567"):
        assert normalise_phone(spelling) == "+393331234567"
    assert normalise_phone("0000000000") == "+390000000000"
    assert normalise_phone("0049 151 23456789") == "+4915123456789"
    assert normalise_email("  Giulia.Rossi@Gmail.COM ") == "giulia.rossi@gmail.com"


def test_scale_parameters(tmp_path: Path) -> None:
    small = generate(tmp_path / "s" / "landing", customers=40, days=20, seed=1)
    larger = generate(tmp_path / "l" / "landing", customers=160, days=20, seed=1)
    assert small["persons_by_kind"]["customer"] == 40
    assert larger["persons_by_kind"]["customer"] == 160
    assert len(small["window"]["batches"]) <= 2
    assert small["window"]["start"] == "2026-10-12"
    assert larger["rows"]["web_events"] > 2 * small["rows"]["web_events"]
