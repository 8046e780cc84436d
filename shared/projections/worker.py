"""Keeping a projection current inside a service: woken by its queue, and by a timer.

The broker message carries no data the projection trusts; it only says
"something was appended". The runner reads the store in position order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa

from shared.app.settings import Settings
from shared.events import Envelope
from shared.eventstore.store import EventStore
from shared.messaging.consumer import run_consumer
from shared.messaging.subscription import Subscription
from shared.periodic import every
from shared.projections.runner import Projection, catch_up, position_of

T = TypeVar("T")


class ProjectionKeeper:
    """Serialises catch-ups of one projection within a process (the DB lock does across)."""

    def __init__(self, store: EventStore, projection: Projection) -> None:
        self.store = store
        self.projection = projection
        self._lock = threading.Lock()

    def catch_up(self) -> int:
        # Plain reads first: most wake-ups (and every board read) find nothing new,
        # and need not take SQLite's write lock to learn it.
        if position_of(self.store.engine, self.projection.name) >= self.store.head_position():
            return 0
        with self._lock:
            return catch_up(self.store, self.projection)

    def read(self, query: Callable[[sa.Connection], T]) -> T:
        """Run ``query`` on the projection brought current to this moment (read your writes).

        The one way an HTTP route reads a projection: the route names what it
        wants (``list_orders``, ``monthly_report``); the keeper owns the connection.
        """
        self.catch_up()
        with self.store.engine.connect() as conn:
            return query(conn)

    def on_message(self, _envelope: Envelope) -> None:
        self.catch_up()

    def consumer(self, settings: Settings, queue: str, subscription: Subscription
                 ) -> Callable[[threading.Event], None]:
        """``subscription``: the types whose messages wake this projection (the service's)."""
        def consume(stop: threading.Event) -> None:
            run_consumer(settings.rabbitmq_url, queue, self.on_message, stop,
                         subscription=subscription, prefetch=settings.consumer_prefetch,
                         max_attempts=settings.consumer_max_attempts,
                         name=f"{queue}-{self.projection.name}")

        consume.__name__ = f"consume_{queue}"
        return consume

    def timer(self, seconds: float) -> Callable[[threading.Event], None]:
        def tick(stop: threading.Event) -> None:
            # The database away: try again next tick.
            every(seconds, self.catch_up, stop, failure="projection.catch_up_failed",
                  projection=self.projection.name)

        tick.__name__ = f"timer_{self.projection.name}"
        return tick


def consumer_for(keepers: list[ProjectionKeeper], settings: Settings, queue: str,
                 subscription: Subscription) -> Callable[[threading.Event], None]:
    """One consumer of ``queue`` that wakes every keeper (a service keeping several
    projections: competing consumers on one queue would each see only some messages)."""
    def on_message(envelope: Envelope) -> None:
        for keeper in keepers:
            keeper.on_message(envelope)

    def consume(stop: threading.Event) -> None:
        run_consumer(settings.rabbitmq_url, queue, on_message, stop,
                     subscription=subscription, prefetch=settings.consumer_prefetch,
                     max_attempts=settings.consumer_max_attempts,
                     name=f"{queue}-" + "+".join(k.projection.name for k in keepers))

    consume.__name__ = f"consume_{queue}"
    return consume
