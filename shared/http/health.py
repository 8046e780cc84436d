"""``GET /healthz``: whether this service can serve its requests (contract.md)."""

import time
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from shared.app.bootstrap import ServiceContext
from shared.messaging.topology import broker_reachable


class Health:
    """``GET /healthz``: whether the store and the broker answer (broker result cached briefly)."""

    CACHE_SECONDS = 5.0

    def __init__(self, context: ServiceContext, needs_broker: bool = False) -> None:
        self.context = context
        self.needs_broker = needs_broker
        self._broker: tuple[float, bool] = (0.0, False)

    def broker_ok(self) -> bool:
        checked_at, ok = self._broker
        if time.monotonic() - checked_at > self.CACHE_SECONDS:
            ok = broker_reachable(self.context.settings.rabbitmq_url, timeout=1.0)
            self._broker = (time.monotonic(), ok)
        return ok

    def report(self) -> tuple[int, dict[str, Any]]:
        store_ok = self.context.store.ping()
        broker_ok = self.broker_ok()
        serving = store_ok and (broker_ok or not self.needs_broker)
        body = {"service": self.context.name, "status": "ok" if serving else "unavailable",
                "store": store_ok, "broker": broker_ok}
        return (200 if serving else 503), body


def add_health(app: FastAPI, health: Health) -> None:
    @app.get("/healthz", tags=["health"], summary="Whether this service can serve requests")
    def healthz() -> JSONResponse:
        status, body = health.report()
        return JSONResponse(body, status_code=status)
