"""The relay through a broker killed with ``kill -9`` mid-publish and started again.

Reported: after such a kill the publisher kept its dead connection (pika
raised a bare ``ValueError``, "Timeout closed before call"), so every later
publish failed, the outbox grew without bound and no queue got anything new.
Here the relay publishes a steady stream of appends to a private node, the
node is killed and restarted, and every appended event must still arrive.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.relay.app import create_relay_app
from shared.app.bootstrap import ServiceContext
from shared.app.clock import SystemClock
from shared.app.settings import Settings
from shared.events import Envelope, Metadata, new_envelope
from shared.eventstore.commit_nudge import CommitListener
from shared.eventstore.migrate import upgrade
from shared.eventstore.store import EventStore
from shared.messaging.publisher import Publisher
from shared.messaging.relay import Relay
from shared.messaging.topology import TRACKER_QUEUE
from shared.policy import load_policy
from tests.faults.support import PrivateRabbit
from tests.integration.support import QueueReader, free_udp_port, wait_for
from tests.unit.given import registered

pytestmark = pytest.mark.broker

APPENDS_PER_SECOND = 50
# Long enough for a restarted node to boot and the relay to drain behind it.
DRAIN_SECONDS = 90.0


class Appender:
    """Registers a complaint every 1/``rate`` s on its own thread, as intake would."""

    def __init__(self, store: EventStore, rate: float) -> None:
        self.store, self.rate = store, rate
        self.appended: list[Envelope] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="appender", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(1 / self.rate):
            complaint_id = str(uuid.uuid4())
            envelope = new_envelope(f"complaint-{complaint_id}", 1,
                                    registered(complaint_id=complaint_id),
                                    datetime.now(UTC), Metadata(actor="fault-test"))
            self.appended.extend(self.store.append(envelope.stream_id, [envelope], 0))

    @contextmanager
    def running(self) -> Iterator[Appender]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join(10)


@contextmanager
def relay_running(relay: Relay) -> Iterator[threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=relay.run, args=(stop,), name="relay", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive(), "the relay did not stop"


def relay_health(store: EventStore, database_url: str, rabbitmq_url: str) -> TestClient:
    """The relay process's HTTP edge over the test's store and broker."""
    settings = Settings(database_url=database_url, rabbitmq_url=rabbitmq_url)
    context = ServiceContext("relay", settings, load_policy(), store, SystemClock())
    return TestClient(create_relay_app(context), raise_server_exceptions=False)


def test_every_event_arrives_after_the_broker_is_killed_mid_publish_and_restarted(
    private_rabbit: PrivateRabbit, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    upgrade(database_url)
    wake_port = free_udp_port()
    store = EventStore.from_url(database_url, wake_port=wake_port)
    relay = Relay(store, Publisher(private_rabbit.url, name="relay-fault"),
                  CommitListener(database_url, wake_port), recovery_seconds=0.2)

    health = relay_health(store, database_url, private_rabbit.url)
    with relay_running(relay):
        with Appender(store, APPENDS_PER_SECOND).running() as appender:
            # Publishing steadily: the kill lands while a confirm is awaited.
            assert wait_for(lambda: len(appender.appended) >= APPENDS_PER_SECOND, timeout=20)
            assert wait_for(lambda: store.outbox_size() < len(appender.appended), timeout=20), \
                "the relay published nothing before the kill"
            private_rabbit.kill()
            time.sleep(2)  # appends go on while the broker is away: the outbox holds them
            away = health.get("/healthz")
            assert (away.status_code, away.json()["broker"]) == (503, False)
            assert away.json()["outbox_rows"] > 0
            assert away.json()["oldest_outbox_age_seconds"] > 0
            private_rabbit.start()
            time.sleep(2)
        assert wait_for(lambda: store.outbox_size() == 0, timeout=DRAIN_SECONDS), (
            f"the outbox still holds {store.outbox_size()} of {len(appender.appended)} "
            "events after the broker came back")
        # The broker check is cached a few seconds; then the relay is healthy again.
        assert wait_for(lambda: health.get("/healthz").status_code == 200, timeout=30)
        assert health.get("/healthz").json()["outbox_rows"] == 0

    reader = QueueReader(private_rabbit.url, TRACKER_QUEUE)
    expected = {e.event_id for e in appender.appended}
    # Confirmed messages survive the kill on the quorum queue; those confirmed
    # after the restart are there too. Duplicates are allowed (at-least-once).
    assert wait_for(lambda: expected <= {_event_id(b) for _, b in reader.poll()}, timeout=30), (
        f"{len(expected - {_event_id(b) for _, b in reader.messages})} of {len(expected)} "
        "events never reached the tracker queue")
    store.engine.dispose()


def _event_id(body: bytes) -> uuid.UUID:
    return Envelope.model_validate_json(body).event_id
