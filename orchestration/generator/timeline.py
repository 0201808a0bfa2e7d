"""The extract window and its batches.

One batch per calendar month (the last one ends on end_date); one file per entity and
batch, named by the batch's last day.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

from .formats import epoch_seconds

DAY = 86400
HOUR = 3600
MINUTE = 60


@dataclass(frozen=True)
class Timeline:
    start: int  # first second of the window (epoch, UTC)
    end: int  # first second after the window
    batch_dates: tuple[dt.date, ...]  # the last day of every batch, ascending
    batch_ends: tuple[int, ...]  # first second after every batch

    @classmethod
    def build(cls, end_date: dt.date, days: int) -> Timeline:
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        start_date = end_date - dt.timedelta(days=days - 1)
        dates = [d for d in _month_ends(start_date, end_date) if d < end_date] + [end_date]
        ends = tuple(epoch_seconds(d) + DAY for d in dates)
        start = epoch_seconds(start_date)
        dates = tuple(dates)
        return cls(start=start, end=ends[-1], batch_dates=dates, batch_ends=ends)

    @property
    def batches(self) -> int:
        return len(self.batch_dates)

    def batch_of(self, seconds: float) -> int:
        """The batch whose file carries a record changed at `seconds`; older -> the first."""
        return min(bisect.bisect_right(self.batch_ends, seconds), self.batches - 1)


def _month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The last day of every calendar month from first's month to last's month."""
    ends, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        ends.append(dt.date(year, month, 1) - dt.timedelta(days=1))
    return ends
