"""generate(): people in chunks -> landing files + ground truth, deterministic per seed."""

from __future__ import annotations

import csv
import datetime as dt
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..loader.contract import ENTITIES, ENTITIES_BY_NAME, FILE_REASONS, ROW_REASONS
from .chunk import CHUNK_SIZE, Chunk, ChunkResult, forced_traits
from .crm import emit_customers, emit_orders, emit_tickets
from .defects import inject_defects
from .output import LandingFiles, csv_header, landing_path
from .people import Person, make_customer
from .survey import emit_surveys
from .timeline import Timeline
from .web import emit_person_web, emit_prospect_web

PROSPECT_SHARE = 0.25  # anonymous visitors who never identify, per customer
DEFAULT_END_DATE = dt.date(2026, 10, 31)


@dataclass(frozen=True)
class ChunkSpec:
    index: int
    first: int  # global person index of the first person
    size: int
    kind: str  # customer | prospect
    seed: int
    timeline: Timeline


def generate(
    out_dir: Path,
    truth_dir: Path | None = None,
    *,
    customers: int = 2000,
    days: int = 365,
    seed: int = 42,
    end_date: dt.date = DEFAULT_END_DATE,
    workers: int | None = None,
) -> dict:
    """Write sample landing extracts under out_dir and their ground truth under truth_dir.

    The same arguments give byte-identical files (whatever `workers` is). Returns the
    summary that is also written to <truth_dir>/summary.json.
    """
    if customers < 1:
        raise ValueError(f"customers must be at least 1, got {customers}")
    out_dir = Path(out_dir)
    truth_dir = Path(truth_dir) if truth_dir is not None else out_dir.parent / "ground_truth"
    _require_empty(out_dir)
    truth_dir.mkdir(parents=True, exist_ok=True)
    timeline = Timeline.build(end_date, days)
    specs = _chunk_specs(customers, seed, timeline)

    files = LandingFiles(out_dir)
    bad_rows: list[tuple[str, str, int, str]] = []
    shared: dict[tuple[str, str], set[str]] = {}
    counts: Counter[str] = Counter()
    persons: Counter[str] = Counter()
    samples: dict[str, list[list[str]]] = {}
    with (truth_dir / "identities.csv").open("w", newline="", encoding="utf-8") as handle:
        identities = csv.writer(handle, lineterminator="\n")
        identities.writerow(("person_id", "identifier_type", "identifier_value"))
        for spec, result in zip(specs, _results(specs, workers), strict=True):
            bad_rows += _append_files(files, timeline, result)
            identities.writerows(result.identities)
            persons[spec.kind] += len({row[0] for row in result.identities})
            for key, people in result.shared.items():
                shared.setdefault(key, set()).update(people)
            counts.update(result.counts)
            samples = samples or result.samples
    files.close()
    bad_files = _write_bad_files(out_dir, timeline, samples)
    _write_truth(truth_dir, bad_rows, bad_files, shared)
    summary = _summary(out_dir, files, counts, persons, bad_rows, bad_files, shared)
    summary.update(
        seed=seed,
        parameters={
            "customers": customers,
            "days": days,
            "seed": seed,
            "end_date": end_date.isoformat(),
        },
        window={
            "start": dt.datetime.fromtimestamp(timeline.start, dt.UTC).date().isoformat(),
            "end": end_date.isoformat(),
            "batches": [d.isoformat() for d in timeline.batch_dates],
        },
    )
    summary = dict(sorted(summary.items()))
    (truth_dir / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary


def _require_empty(out_dir: Path) -> None:
    if out_dir.exists() and any(p.is_file() for p in out_dir.rglob("*")):
        raise FileExistsError(
            f"{out_dir} already holds files; generate into an empty or new folder "
            "(the generated tree must not mix with older extracts)"
        )
    out_dir.mkdir(parents=True, exist_ok=True)


def _chunk_specs(customers: int, seed: int, timeline: Timeline) -> list[ChunkSpec]:
    specs = []
    prospects = round(customers * PROSPECT_SHARE)
    for kind, first_person, total in (
        ("customer", 0, customers),
        ("prospect", customers, prospects),
    ):
        for offset in range(0, total, CHUNK_SIZE):
            size = min(CHUNK_SIZE, total - offset)
            specs.append(ChunkSpec(len(specs), first_person + offset, size, kind, seed, timeline))
    return specs


def _results(specs: list[ChunkSpec], workers: int | None) -> Iterator[ChunkResult]:
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if workers <= 1 or len(specs) <= 2:
        yield from map(run_chunk, specs)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap(run_chunk, specs, chunksize=1)


def run_chunk(spec: ChunkSpec) -> ChunkResult:
    """Generate, damage and render one chunk (a pure function of spec)."""
    chunk = Chunk(spec.index, spec.seed, spec.timeline)
    if spec.kind == "customer":
        traits = forced_traits(spec.index, spec.size, chunk.dice)
        for local in range(spec.size):
            _customer_activity(
                chunk,
                make_customer(spec.first + local, chunk.dice, spec.timeline, traits.get(local)),
            )
    else:
        for local in range(spec.size):
            emit_prospect_web(chunk, Person(spec.first + local, "", "", "", "", 0, ""))
    samples = _samples(chunk) if spec.index == 0 else {}
    inject_defects(chunk)
    return ChunkResult(
        index=spec.index,
        files=chunk.out.render(),
        identities=sorted(chunk.identities),
        shared=chunk.shared,
        counts=chunk.counts,
        samples=samples,
    )


def _customer_activity(chunk: Chunk, person: Person) -> None:
    for record in person.records:
        chunk.add_identity(person, "crm_customer_id", record.customer_id)
    for email in person.emails:
        chunk.add_identity(person, "email", email)
    for phone in person.phones:
        chunk.add_identity(person, "phone", phone)
    for kind, value in sorted(person.shared):
        chunk.use_shared(person, kind, value)
    emit_customers(chunk, person)
    orders = emit_orders(chunk, person)
    tickets = emit_tickets(chunk, person, orders)
    emit_surveys(chunk, person, orders, tickets)
    emit_person_web(chunk, person, orders)


def _samples(chunk: Chunk) -> dict[str, list[list[str]]]:
    """A few valid rows, re-sent later in files that cannot be loaded."""
    picked: dict[str, list[list[str]]] = {}
    for entity in ("crm_customers", "crm_orders"):
        rows = [record[2] for _, record in chunk.out.of_entity(entity)]
        picked[entity] = [list(row) for row in rows[:6]]
    return picked


def _append_files(
    files: LandingFiles, timeline: Timeline, result: ChunkResult
) -> list[tuple[str, str, int, str]]:
    bad = []
    for (entity, batch), rendered in result.files.items():
        path = landing_path(entity, timeline, batch)
        header = None if entity == "web_events" else csv_header(entity)
        start = files.append(path, header, rendered.text, rendered.lines)
        bad += [(entity, path, start + line - 1, reason) for line, reason in rendered.bad]
        files.records[path] = files.records.get(path, 0) + rendered.records
    return bad


def _write_bad_files(
    out_dir: Path, timeline: Timeline, samples: dict[str, list[list[str]]]
) -> list[tuple[str, str, str]]:
    """Three whole files the loader must quarantine: not UTF-8, a missing column, empty."""
    batch = timeline.batches // 2
    latin = landing_path("crm_customers", timeline, batch, part=2)
    rows = [[*row[:6], "Forlì", *row[7:]] for row in samples.get("crm_customers", [])]
    _write_csv(out_dir / latin, ENTITIES_BY_NAME["crm_customers"].column_names, rows, "latin-1")

    no_amount = landing_path("crm_orders", timeline, batch, part=2)
    columns = ENTITIES_BY_NAME["crm_orders"].column_names
    keep = [i for i, name in enumerate(columns) if name != "amount"]
    rows = [[row[i] for i in keep] for row in samples.get("crm_orders", [])]
    _write_csv(out_dir / no_amount, [columns[i] for i in keep], rows, "utf-8")

    empty = landing_path("survey_responses", timeline, batch, part=2)
    (out_dir / empty).parent.mkdir(parents=True, exist_ok=True)
    (out_dir / empty).write_bytes(b"")
    return [
        ("crm_customers", latin, "not_utf8"),
        ("crm_orders", no_amount, "missing_column"),
        ("survey_responses", empty, "unreadable"),
    ]


def _write_csv(path: Path, header: Iterable[str], rows: list[list[str]], encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding=encoding, errors="replace") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_truth(
    truth_dir: Path,
    bad_rows: list[tuple[str, str, int, str]],
    bad_files: list[tuple[str, str, str]],
    shared: dict[tuple[str, str], set[str]],
) -> None:
    assert {r[3] for r in bad_rows} <= set(ROW_REASONS)
    assert {r[2] for r in bad_files} <= set(FILE_REASONS)
    tables = {
        "bad_rows.csv": (
            ("entity", "file_path", "line", "reason_code"),
            sorted(bad_rows, key=lambda r: (r[1], r[2])),
        ),
        "bad_files.csv": (("entity", "file_path", "reason_code"), sorted(bad_files)),
        "shared_identifiers.csv": (
            ("identifier_type", "identifier_value", "persons"),
            sorted(
                (kind, value, len(people))
                for (kind, value), people in shared.items()
                if len(people) > 1
            ),
        ),
    }
    for name, (header, rows) in tables.items():
        _write_csv(truth_dir / name, header, [list(map(str, r)) for r in rows], "utf-8")


def _summary(
    out_dir: Path,
    files: LandingFiles,
    counts: Counter[str],
    persons: Counter[str],
    bad_rows: list[tuple[str, str, int, str]],
    bad_files: list[tuple[str, str, str]],
    shared: dict[tuple[str, str], set[str]],
) -> dict:
    rows: Counter[str] = Counter()
    file_count: Counter[str] = Counter()
    for path, records in files.records.items():
        entity = next(e.name for e in ENTITIES if path.startswith(e.folder + "/"))
        rows[entity] += records
        file_count[entity] += 1
    bad = Counter(r[0] for r in bad_rows)
    names = [e.name for e in ENTITIES]
    return {
        "persons": sum(persons.values()),
        "persons_by_kind": dict(sorted(persons.items())),
        "rows": {n: rows[n] for n in names},
        "bad_rows": {n: bad[n] for n in names},
        "valid_rows": {n: rows[n] - bad[n] for n in names},
        "distinct_keys": {n: counts[f"distinct:{n}"] for n in names},
        "bad_rows_by_reason": dict(sorted(Counter(r[3] for r in bad_rows).items())),
        "bad_files": len(bad_files),
        "files": {n: file_count[n] for n in names},
        "duplicate_web_events": counts["duplicate_events"],
        "duplicate_survey_responses": counts["duplicate_responses"],
        "multiline_comments": counts["multiline_comments"],
        "shared_identifiers": sum(1 for people in shared.values() if len(people) > 1),
    }
