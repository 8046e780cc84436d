"""``GET /healthz``: whether this service can serve its requests (contract.md).

A health check never answers 500: a dependency that is away (the store, the
broker, frozen or gone) makes it 503 with a body saying which, and a check
that itself fails counts as that dependency away. The relay's check also
reports the outbox's backlog, the one sign that published events are stuck.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from shared.app.bootstrap import ServiceContext
from shared.messaging.topology import broker_reachable

log = structlog.get_logger(__name__)


class Health:
    """``GET /healthz``: whether the store and the broker answer (broker result cached briefly).

    ``needs_broker``: the service cannot serve without it (503 while away);
    intake does not (the outbox holds its events). ``outbox_stale_after``
    (seconds; the relay's): report the outbox backlog, and 503 once its
    oldest row has waited longer than that.
    """

    CACHE_SECONDS = 5.0

    def __init__(self, context: ServiceContext, needs_broker: bool = False,
                 outbox_stale_after: float | None = None) -> None:
        self.context = context
        self.needs_broker = needs_broker
        self.outbox_stale_after = outbox_stale_after
        self._broker: tuple[float, bool] = (0.0, False)

    def broker_ok(self) -> bool:
        checked_at, ok = self._broker
        if time.monotonic() - checked_at > self.CACHE_SECONDS:
            try:
                ok = broker_reachable(self.context.settings.rabbitmq_url, timeout=1.0)
            except Exception:  # broker_reachable should not raise; a health check never does
                log.warning("health.broker_check_failed", exc_info=True)
                ok = False
            self._broker = (time.monotonic(), ok)
        return ok

    def store_ok(self) -> bool:
        try:
            return self.context.store.ping()
        except Exception:
            log.warning("health.store_check_failed", exc_info=True)
            return False

    def report(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, body); never raises."""
        try:
            return self._report()
        except Exception as exc:
            log.error("health.check_failed", exc_info=True)
            return 503, {"service": self.context.name, "status": "unavailable",
                         "error": f"health check failed: {type(exc).__name__}"}

    def _report(self) -> tuple[int, dict[str, Any]]:
        store_ok = self.store_ok()
        broker_ok = self.broker_ok()
        serving = store_ok and (broker_ok or not self.needs_broker)
        body: dict[str, Any] = {"store": store_ok, "broker": broker_ok}
        if self.outbox_stale_after is not None:
            backlog = self.outbox_backlog() if store_ok else None
            body["outbox_stale_after_seconds"] = self.outbox_stale_after
            if backlog is None:
                serving = False
            else:
                rows, oldest_age = backlog
                body |= {"outbox_rows": rows, "oldest_outbox_age_seconds": oldest_age}
                serving = serving and (oldest_age or 0.0) <= self.outbox_stale_after
        status = "ok" if serving else "unavailable"
        return (200 if serving else 503), {"service": self.context.name, "status": status, **body}

    def outbox_backlog(self) -> tuple[int, float | None] | None:
        """(rows waiting, age in seconds of the oldest or None when empty); None on failure."""
        store = self.context.store
        try:
            rows = store.outbox_size()
            oldest = store.outbox_batch(1)
        except Exception:
            log.warning("health.outbox_check_failed", exc_info=True)
            return None
        if not oldest or oldest[0].recorded_at is None:
            return rows, None
        age = (self.context.clock.now() - oldest[0].recorded_at).total_seconds()
        return rows, round(max(age, 0.0), 1)


def add_health(app: FastAPI, health: Health) -> None:
    @app.get("/healthz", tags=["health"], summary="Whether this service can serve requests")
    def healthz() -> JSONResponse:
        status, body = health.report()
        return JSONResponse(body, status_code=status)
