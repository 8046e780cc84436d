"""The outbox relay: publishes committed events to the broker, in position order.

Woken at once by the commit nudge (``shared/eventstore/commit_nudge.py``), and by a timer for
recovery. A row leaves the outbox only after the broker confirmed its
message, so a crash anywhere can duplicate a message (consumers are
idempotent) but never lose one. The process is ``python -m services.relay``;
its ``/healthz`` reports the outbox's backlog (``shared/http/health.py``).
"""

from __future__ import annotations

import threading

import structlog

from shared.eventstore.commit_nudge import CommitListener
from shared.eventstore.store import EventStore
from shared.messaging.publisher import Publisher
from shared.periodic import Backoff

log = structlog.get_logger(__name__)
BATCH = 200
BACKOFF_FIRST_SECONDS = 0.2
MAX_BACKOFF_SECONDS = 10.0


class Relay:
    def __init__(self, store: EventStore, publisher: Publisher, listener: CommitListener,
                 recovery_seconds: float = 1.0) -> None:
        self.store = store
        self.publisher = publisher
        self.listener = listener
        self.recovery_seconds = recovery_seconds

    def drain(self) -> int:
        """Publish everything in the outbox now; returns how many messages."""
        published = 0
        while batch := self.store.outbox_batch(BATCH):
            self.publisher.publish(batch)
            self.store.outbox_remove([e.position for e in batch if e.position is not None])
            published += len(batch)
        return published

    def run(self, stop: threading.Event) -> None:
        backoff = Backoff(BACKOFF_FIRST_SECONDS, MAX_BACKOFF_SECONDS)
        while not stop.is_set():
            # Listen before draining: a commit between the drain and the LISTEN
            # (or the bind) would otherwise wait for the recovery timer.
            self.listener.ensure_open()
            try:
                published = self.drain()
                if published:
                    log.info("relay.published", count=published)
                backoff.reset()
            except Exception as exc:  # broker or database away: keep the rows, retry later
                log.warning("relay.publish_failed", error=str(exc) or repr(exc),
                            retry_in=backoff.peek())
                backoff.wait(stop)
                continue
            self.listener.wait(self.recovery_seconds)
        self.listener.close()
        self.publisher.close()
