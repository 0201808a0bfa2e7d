"""Records of one chunk, rendered to text per landing file, then appended to the files."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..loader.contract import ENTITIES_BY_NAME, WEB_EVENTS
from .timeline import Timeline

# (entity, batch) -> records; a record is (sort key, sequence, payload, reason or None).
Record = tuple[int, int, Any, str | None]
STEMS = {
    "crm_customers": "customers",
    "crm_orders": "orders",
    "crm_tickets": "tickets",
    "web_events": "events",
    "survey_responses": "responses",
}


def landing_path(entity: str, timeline: Timeline, batch: int, part: int = 1) -> str:
    """Path of a batch file relative to the landing folder: lexical order = load order."""
    folder = ENTITIES_BY_NAME[entity].folder
    name = f"{STEMS[entity]}_{timeline.batch_dates[batch].isoformat()}_{part:03d}"
    if entity == WEB_EVENTS.name:
        return f"{folder}/{name}.jsonl" + (".gz" if batch % 3 == 1 else "")
    return f"{folder}/{name}.csv"


def json_line(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Rendered:
    text: str
    lines: int  # physical lines in text
    bad: list[tuple[int, str]]  # (1-based line inside text, reason)
    records: int


@dataclass
class ChunkRecords:
    """Everything one chunk emits, grouped by landing file."""

    groups: dict[tuple[str, int], list[Record]] = field(default_factory=dict)
    _sequence: int = 0

    def add(
        self, entity: str, batch: int, key: int, payload: Any, reason: str | None = None
    ) -> None:
        self._sequence += 1
        self.groups.setdefault((entity, batch), []).append((key, self._sequence, payload, reason))

    def of_entity(self, entity: str) -> Iterator[tuple[int, Record]]:
        for (name, batch), records in self.groups.items():
            if name == entity:
                for record in records:
                    yield batch, record

    def render(self) -> dict[tuple[str, int], Rendered]:
        return {key: render(key[0], records) for key, records in sorted(self.groups.items())}


def render(entity: str, records: list[Record]) -> Rendered:
    records = sorted(records, key=lambda r: (r[0], r[1]))
    if entity == WEB_EVENTS.name:
        return _render_jsonl(records)
    return _render_csv(records)


def _render_jsonl(records: list[Record]) -> Rendered:
    lines, bad = [], []
    for number, (_, _, payload, reason) in enumerate(records, start=1):
        lines.append(payload if isinstance(payload, str) else json_line(payload))
        if reason:
            bad.append((number, reason))
    return Rendered("\n".join(lines) + "\n", len(lines), bad, len(records))


def _render_csv(records: list[Record]) -> Rendered:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    line, bad = 1, []
    for _, _, row, reason in records:
        writer.writerow(row)
        if reason:
            bad.append((line, reason))
        line += 1 + sum(value.count("\n") for value in row if "\n" in value)
    return Rendered(buffer.getvalue(), line - 1, bad, len(records))


class LandingFiles:
    """Open batch files under the landing folder; text is appended chunk after chunk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._handles: dict[str, IO[bytes]] = {}
        self._raw: dict[str, IO[bytes]] = {}
        self.lines: dict[str, int] = {}  # physical lines written so far (header included)
        self.records: dict[str, int] = {}  # records written so far

    def append(self, path: str, header: str | None, text: str, lines: int) -> int:
        """Append rendered text; returns the physical line number text starts at."""
        handle = self._handles.get(path) or self._open(path, header)
        start = self.lines[path] + 1
        handle.write(text.encode("utf-8"))
        self.lines[path] += lines
        return start

    def _open(self, path: str, header: str | None) -> IO[bytes]:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        raw = open(target, "wb")  # noqa: SIM115 - closed in close()
        handle: IO[bytes] = raw
        if path.endswith(".gz"):
            handle = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
            self._raw[path] = raw
        self._handles[path] = handle
        self.lines[path] = 0
        if header is not None:
            handle.write(header.encode("utf-8"))
            self.lines[path] = 1
        return handle

    def close(self) -> None:
        for path in sorted(self._handles):
            self._handles[path].close()
            if path in self._raw:
                self._raw[path].close()
        self._handles.clear()
        self._raw.clear()


def csv_header(entity: str) -> str:
    return ",".join(ENTITIES_BY_NAME[entity].column_names) + "\n"
