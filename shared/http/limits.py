"""Rate limits: token buckets per bearer token, and per client address for forgeries.

Two limits (contract, Limits):

- :class:`RateLimiter`: writes, one bucket per known token, kiosk and staff
  sized apart (the policy's ``[limits]``).
- :class:`ForgeryLimit`: requests bearing an *unknown* token, one bucket per
  client address (:data:`FORGED_BURST` at once, refilled at
  :data:`FORGED_PER_SECOND`). A known token is never refused for its
  address: behind a proxy every kiosk shares one address, and a forger
  there must not lock them all out. Tokens are 256-bit random, so the
  limit bounds what forgeries cost us (and the log they fill), not the odds
  of a guess.

Time comes from the injected :class:`~shared.app.clock.Clock` (its monotonic
reading), so a test's fixed clock makes every limit exact.

No ``from __future__ import annotations`` here: FastAPI must see the
``Depends(authenticate)`` built inside :meth:`RateLimiter.limited` at runtime.
"""

import threading
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends

from shared.app.clock import Clock, SystemClock
from shared.http.errors import RateLimited
from shared.http.openapi import declares_errors

# Unknown tokens from one client address: 20 at once, then one a second.
FORGED_BURST = 20
FORGED_PER_SECOND = 1.0
# Past this many addresses, buckets that have refilled completely are dropped
# (a full bucket and no bucket mean the same), so spraying addresses cannot
# grow the table without end.
_MAX_KEYS = 10_000


class TokenBucket:
    """``burst`` requests at once, refilled at ``per_second``; time is passed in."""

    def __init__(self, burst: float, per_second: float) -> None:
        if burst < 1 or per_second <= 0:
            raise ValueError("a token bucket needs burst >= 1 and per_second > 0")
        self.burst = float(burst)
        self.per_second = float(per_second)
        self._tokens = self.burst
        self._last: float | None = None

    def take(self, now: float) -> float | None:
        """Take one token: None when allowed, else the seconds until one is there."""
        self._refill(now)
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        return (1 - self._tokens) / self.per_second

    def full(self, now: float) -> bool:
        """Whether the bucket has refilled to its burst by ``now``."""
        self._refill(now)
        return self._tokens >= self.burst

    def _refill(self, now: float) -> None:
        if self._last is not None:
            elapsed = max(0.0, now - self._last)  # a clock going back refills nothing
            self._tokens = min(self.burst, self._tokens + elapsed * self.per_second)
        self._last = now if self._last is None else max(self._last, now)


class Buckets:
    """A token bucket per key (a token id, a client address), made on first use."""

    def __init__(self) -> None:
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, burst: float, per_second: float, now: float) -> float | None:
        """:meth:`TokenBucket.take` on ``key``'s bucket (thread-safe)."""
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= _MAX_KEYS:
                    self._drop_full(now)
                bucket = self._buckets[key] = TokenBucket(burst, per_second)
            return bucket.take(now)

    def _drop_full(self, now: float) -> None:
        for key in [k for k, bucket in self._buckets.items() if bucket.full(now)]:
            del self._buckets[key]

    def __len__(self) -> int:
        return len(self._buckets)


class Caller(Protocol):
    """What rate limiting needs of a principal (shared.http.auth.Principal fits)."""

    @property
    def token_id(self) -> str: ...

    @property
    def is_staff(self) -> bool: ...


C = TypeVar("C", bound=Caller)


class RateLimiter:
    """One token bucket per token, kiosk and staff sized apart (contract, Limits).

    Only requests that change something are limited: wrap the route's auth
    dependency, ``Depends(limiter.limited(auth.require("desk")))``; the
    wrapped dependency still returns the Principal. Thread-safe.
    """

    def __init__(
        self,
        kiosk_burst: int = 30,
        kiosk_per_second: float = 1.0,
        staff_burst: int = 200,
        staff_per_second: float = 20.0,
        clock: Clock | None = None,
    ) -> None:
        self._kiosk = (kiosk_burst, kiosk_per_second)
        self._staff = (staff_burst, staff_per_second)
        self._clock = clock or SystemClock()
        self._buckets = Buckets()

    def check(self, caller: Caller, now: float | None = None) -> None:
        """Spend one of the caller's tokens, or raise :class:`RateLimited`.

        ``now`` is a monotonic reading; the limiter's clock when not given.
        """
        size = self._staff if caller.is_staff else self._kiosk
        moment = self._clock.monotonic() if now is None else now
        wait = self._buckets.take(caller.token_id, *size, moment)
        if wait is not None:
            raise RateLimited(wait)

    def limited(self, authenticate: Callable[..., Awaitable[C]]) -> Callable[..., Awaitable[C]]:
        """A dependency: ``authenticate``, then spend a token of the caller's."""

        @declares_errors(429)
        async def rate_limited(caller: Annotated[Any, Depends(authenticate)]) -> C:
            self.check(caller)
            return caller

        return rate_limited


class ForgeryLimit:
    """Unknown tokens, counted per client address (see the module docstring)."""

    def __init__(
        self,
        clock: Clock | None = None,
        burst: int = FORGED_BURST,
        per_second: float = FORGED_PER_SECOND,
    ) -> None:
        self._clock = clock or SystemClock()
        self._size = (burst, per_second)
        self._buckets = Buckets()

    def spend(self, address: str) -> None:
        """Count one unknown token from ``address``, or raise :class:`RateLimited`."""
        wait = self._buckets.take(address, *self._size, self._clock.monotonic())
        if wait is not None:
            raise RateLimited(wait, "too many unknown tokens from this address")
