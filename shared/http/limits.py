"""Rate limits: a token bucket per bearer token (contract, Limits).

No ``from __future__ import annotations`` here: FastAPI must see the
``Depends(authenticate)`` built inside :meth:`RateLimiter.limited` at runtime.
"""

import threading
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends

from shared.http.errors import RateLimited
from shared.http.openapi import declares_errors


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
        if self._last is not None:
            elapsed = max(0.0, now - self._last)  # a clock going back refills nothing
            self._tokens = min(self.burst, self._tokens + elapsed * self.per_second)
        self._last = now if self._last is None else max(self._last, now)
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        return (1 - self._tokens) / self.per_second


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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kiosk = (kiosk_burst, kiosk_per_second)
        self._staff = (staff_burst, staff_per_second)
        self._clock = clock
        self._buckets: dict[str, TokenBucket] = {}
        self._lock = threading.Lock()

    def check(self, caller: Caller, now: float) -> None:
        """Spend one of the caller's tokens, or raise :class:`RateLimited`."""
        with self._lock:
            bucket = self._buckets.get(caller.token_id)
            if bucket is None:
                bucket = TokenBucket(*(self._staff if caller.is_staff else self._kiosk))
                self._buckets[caller.token_id] = bucket
            wait = bucket.take(now)
        if wait is not None:
            raise RateLimited(wait)

    def limited(self, authenticate: Callable[..., Awaitable[C]]) -> Callable[..., Awaitable[C]]:
        """A dependency: ``authenticate``, then spend a token of the caller's."""

        @declares_errors(429)
        async def rate_limited(caller: Annotated[Any, Depends(authenticate)]) -> C:
            self.check(caller, self._clock())
            return caller

        return rate_limited
