"""Time enters the domain only through a clock passed in at the edge.

One clock per process, on the :class:`~shared.app.bootstrap.ServiceContext`:
the domain reads :meth:`Clock.now` (wall time, for the history and deadlines),
rate limits and durations read :meth:`Clock.monotonic` (seconds that never go
back). Tests give a :class:`FixedClock` and move it by hand, so anything
that counts time (the due time of an order, a refilling token bucket) is
exact however slow the machine.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware."""
        ...

    def monotonic(self) -> float:
        """Seconds from an arbitrary start that never go back (intervals only)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FixedClock:
    """For tests: a clock that stays where it is put, and moves when told.

    Its monotonic reading follows ``at``, so moving ``at`` (or calling
    :meth:`advance`) refills rate limits by exactly that much and no more.
    """

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def monotonic(self) -> float:
        return self.at.timestamp()

    def advance(self, **delta: float) -> datetime:
        """Move the clock on by ``timedelta(**delta)``; returns the new moment."""
        self.at = self.at + timedelta(**delta)
        return self.at
