"""The relay's HTTP edge: ``GET /healthz`` alone, reporting the outbox's backlog.

A relay that cannot publish never exits, so nothing else notices it: its
health says how many events wait in the outbox and how long the oldest has,
and answers 503 once that is longer than ``RELAY_OUTBOX_STALE_SECONDS`` or
while the broker or the store is away.
"""

from fastapi import FastAPI

from shared.app.bootstrap import ServiceContext
from shared.http import create_app
from shared.http.health import Health, add_health


def create_relay_app(context: ServiceContext) -> FastAPI:
    app = create_app("relay", "Publishes committed events from the outbox to RabbitMQ.")
    add_health(app, Health(context, needs_broker=True,
                           outbox_stale_after=context.settings.relay_outbox_stale_seconds))
    return app
