"""One chunk of people and everything they do, rendered as landing-file fragments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .formats import TS_NAIVE, TS_OFFSET_1, TS_OFFSET_2, TS_Z, format_ts, scramble
from .output import ChunkRecords, Rendered
from .people import FORCED_TRAITS, Person
from .randomness import Dice, chunk_rng
from .timeline import Timeline

CHUNK_SIZE = 5000  # people per chunk: memory is bounded by this, not by the total
ID_SPACE = 10**10
TS_STYLES = (TS_Z, TS_OFFSET_1, TS_OFFSET_2, TS_NAIVE)


@dataclass
class ChunkResult:
    """What the writer needs from a chunk (picklable, so chunks can run in processes)."""

    index: int
    files: dict[tuple[str, int], Rendered]
    identities: list[tuple[str, str, str]]
    shared: dict[tuple[str, str], set[str]]
    counts: Counter[str] = field(default_factory=Counter)
    samples: dict[str, list[list[str]]] = field(default_factory=dict)


class Chunk:
    """Mutable state while one chunk is generated: draws, ids, records, identities."""

    def __init__(self, index: int, seed: int, timeline: Timeline) -> None:
        self.index = index
        self.timeline = timeline
        self.dice = Dice(chunk_rng(seed, index))
        self.out = ChunkRecords()
        self.identities: list[tuple[str, str, str]] = []
        self.shared: dict[tuple[str, str], set[str]] = {}
        self.counts: Counter[str] = Counter()
        self._serial: Counter[str] = Counter()

    def new_id(self, prefix: str) -> str:
        """Unique across chunks: the chunk index and a per-chunk serial, scrambled."""
        self._serial[prefix] += 1
        number = scramble(self.index * 10**6 + self._serial[prefix], ID_SPACE, salt=ord(prefix))
        return f"{prefix}{number:010d}"

    def serial(self, kind: str) -> int:
        self._serial[kind] += 1
        return self.index * 10**7 + self._serial[kind]

    def ts(self, seconds: float, z_share: float = 0.55) -> str:
        """A timestamp in a random spelling: mostly 'Z', some offsets, some naive."""
        roll = self.dice.u()
        if roll < z_share:
            style = TS_Z
        elif roll < z_share + 0.25:
            style = TS_OFFSET_1 if roll < z_share + 0.1 else TS_OFFSET_2
        else:
            style = TS_NAIVE
        return format_ts(int(seconds), style)

    def add_identity(self, person: Person, kind: str, value: str) -> None:
        self.identities.append((person.person_id, kind, value))

    def use_shared(self, person: Person, kind: str, value: str) -> None:
        self.shared.setdefault((kind, value), set()).add(person.person_id)


def forced_traits(chunk_index: int, size: int, dice: Dice) -> dict[int, str]:
    """Local index -> trait for the first chunk (scattered, deterministic)."""
    if chunk_index != 0:
        return {}
    wanted = [trait for trait, count in FORCED_TRAITS for _ in range(count)]
    if size < 2 * len(wanted):
        wanted = wanted[: size // 2]
    positions: list[int] = []
    while len(positions) < len(wanted):
        candidate = dice.below(size)
        if candidate not in positions:
            positions.append(candidate)
    return dict(zip(positions, wanted, strict=True))
