"""Deterministic random draws: numpy's PCG64, consumed in blocks for speed."""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")
_BLOCK = 1 << 16


def chunk_rng(seed: int, chunk_index: int) -> np.random.Generator:
    """The generator of one chunk: independent of how many chunks run or in which order."""
    return np.random.Generator(np.random.PCG64([seed, chunk_index]))


class Dice:
    """Scalar draws from a numpy Generator, refilled a block at a time."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buffer: list[float] = []
        self._next = 0

    def u(self) -> float:
        if self._next >= len(self._buffer):
            self._buffer = self._rng.random(_BLOCK).tolist()
            self._next = 0
        value = self._buffer[self._next]
        self._next += 1
        return value

    def chance(self, p: float) -> bool:
        return self.u() < p

    def below(self, n: int) -> int:
        return min(int(self.u() * n), n - 1)

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.u()

    def pick(self, items: Sequence[T]) -> T:
        return items[self.below(len(items))]

    def weighted(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        index = bisect.bisect_right(cumulative, self.u() * cumulative[-1])
        return items[min(index, len(items) - 1)]

    def expo(self, mean: float) -> float:
        return -mean * math.log(1.0 - self.u())

    def poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 30:
            return max(0, round(lam + math.sqrt(lam) * self.normal()))
        limit, k, product = math.exp(-lam), 0, self.u()
        while product > limit:
            k += 1
            product *= self.u()
        return k

    def normal(self) -> float:
        u1, u2 = 1.0 - self.u(), self.u()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def gamma(self, shape: float, scale: float) -> float:
        return float(self._rng.gamma(shape, scale))


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))
