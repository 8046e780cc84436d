"""One periodic loop and one back-off, for every worker that repeats or retries.

The relay, the consumer loop, the projection timers and the dispatcher's sweep
all wait the same way: on their worker's ``stop`` event, never on
``time.sleep``, so a stop is honoured at once and a test drives them with a
fake event instead of the wall clock.

May import nothing of this project (every wing may import it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import structlog

log = structlog.get_logger(__name__)


class Stop(Protocol):
    """What a worker waits on: ``threading.Event`` in a service, a fake one in tests."""

    def is_set(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...


class Backoff:
    """Capped exponential delays: ``first``, twice that, … up to ``cap``.

    :meth:`reset` after a success, so the next failure starts short again.
    """

    def __init__(self, first: float, cap: float, factor: float = 2.0) -> None:
        if not 0 < first <= cap:
            raise ValueError(f"backoff: need 0 < first <= cap, got first={first}, cap={cap}")
        if factor < 1:
            raise ValueError(f"backoff: factor must be at least 1, got {factor}")
        self.first, self.cap, self.factor = first, cap, factor
        self._delay = first

    def next(self) -> float:
        """The delay to wait now; the one after it is longer, until the cap."""
        delay = self._delay
        self._delay = min(delay * self.factor, self.cap)
        return delay

    def peek(self) -> float:
        """The delay :meth:`next` would give, without taking it (for a log line)."""
        return self._delay

    def reset(self) -> None:
        self._delay = self.first

    def wait(self, stop: Stop) -> bool:
        """Wait the next delay unless ``stop`` is set first; True when stopped."""
        return stop.wait(self.next())


def every(
    seconds: float, task: Callable[[], Any], stop: Stop, *, failure: str, **log_fields: Any
) -> None:
    """Run ``task`` every ``seconds`` until ``stop`` is set; blocks, then returns.

    The first run is after one interval (a process's start-up did the work
    once already). An exception is logged as ``failure`` with ``log_fields``
    and the next round tries again: a database away for a while is routine,
    and the interval is the retry.
    """
    if seconds <= 0:
        raise ValueError(f"every: seconds must be positive, got {seconds}")
    while not stop.wait(seconds):
        try:
            task()
        except Exception as exc:
            log.warning(failure, error=str(exc), retry_in=seconds, **log_fields)
