"""The outbox relay on a real store (SQLite and PostgreSQL) and a real RabbitMQ.

Every test has a vhost of its own, so the ``tracker`` queue (bound to ``#``)
holds exactly what this test's relay published. Waits poll for an outcome
with a generous bound; nothing here asserts a speed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial

import pytest
from pika.exceptions import AMQPConnectionError

from shared.events import Envelope, Metadata, new_envelope
from shared.eventstore.commit_nudge import CommitListener
from shared.eventstore.store import EventStore
from shared.messaging.publisher import Publisher
from shared.messaging.relay import Relay
from shared.messaging.topology import TRACKER_QUEUE, envelope_from_body
from tests.integration.support import (
    QueueReader,
    nudge,
    take_all,
    wait_for,
)
from tests.unit.given import dispatched, registered, routed

pytestmark = pytest.mark.broker

NOW = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
UNREACHABLE_BROKER = "amqp://guest:guest@127.0.0.1:1/%2F"
# Long enough that only the commit nudge can explain a delivery within NUDGE_BOUND.
RECOVERY_SECONDS = 30.0
NUDGE_BOUND = 10.0


def complaint_history(complaint_id: str) -> list[Envelope]:
    """A registration, its routing and its dispatch: three envelopes of one stream."""
    stream = f"complaint-{complaint_id}"
    events = [registered(complaint_id=complaint_id), routed("repair.common_area"),
              dispatched("repair.common_area")]
    return [new_envelope(stream, version, event, NOW, Metadata(actor="test",
                                                               correlation_id=complaint_id))
            for version, event in enumerate(events, start=1)]


def append_history(store: EventStore, complaint_id: str, upto: int = 3) -> list[Envelope]:
    history = complaint_history(complaint_id)[:upto]
    return store.append(history[0].stream_id, history, 0)


def published(reader: QueueReader, envelope: Envelope) -> bool:
    return any(m.event_id == envelope.event_id for m in bodies(reader.poll()))


def bodies(messages: Sequence[tuple[object, bytes]]) -> list[Envelope]:
    return [envelope_from_body(body) for _, body in messages]


class OpenedListener(CommitListener):
    """The real listener, telling the test once it listens (LISTEN issued / port bound)."""

    def __init__(self, database_url: str, wake_port: int) -> None:
        super().__init__(database_url, wake_port)
        self.opened = threading.Event()

    def _open(self) -> None:
        super()._open()
        self.opened.set()


def woken_and_stopped(thread: threading.Thread, wake: Callable[[], None]) -> bool:
    wake()
    return not thread.is_alive()


@contextmanager
def relay_running(relay: Relay, store: EventStore, wake_port: int) -> Iterator[threading.Thread]:
    stop = threading.Event()
    errors: list[BaseException] = []

    def target() -> None:
        try:
            relay.run(stop)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="relay", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        # run() only looks at ``stop`` between waits: wake it rather than sit out the timer.
        wait_for(partial(woken_and_stopped, thread, lambda: nudge(store, wake_port)))
        thread.join(5)
    assert not thread.is_alive(), "relay.run did not return after stop"
    assert errors == []


# --------------------------------------------------------------------------- drain


def test_appended_events_reach_the_broker_in_position_order_with_the_envelope_intact(
    store: EventStore, database_url: str, wake_port: int, fresh_rabbitmq_url: str
) -> None:
    first, second = "0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a01", "7d3e1c2a-9b8f-4e6d-a5c4-3b2a1f0e9d8c"
    history_1, history_2 = complaint_history(first), complaint_history(second)
    # interleave two streams so position order differs from stream order
    store.append(history_1[0].stream_id, history_1[:1], 0)
    store.append(history_2[0].stream_id, history_2[:2], 0)
    store.append(history_1[0].stream_id, history_1[1:], 1)
    store.append(history_2[0].stream_id, history_2[2:], 2)
    stored = store.read_all()
    assert len(stored) == 6

    relay = Relay(store, Publisher(fresh_rabbitmq_url), CommitListener(database_url, wake_port))
    try:
        assert relay.drain() == 6
    finally:
        relay.publisher.close()

    messages = take_all(fresh_rabbitmq_url, TRACKER_QUEUE)
    assert bodies(messages) == stored  # every field, position and recorded_at included
    assert [e.position for e in bodies(messages)] == sorted(e.position or 0 for e in stored)
    for (properties, _), envelope in zip(messages, stored, strict=True):
        assert properties.headers["event_type"] == envelope.type
        assert properties.headers["event_id"] == str(envelope.event_id)
        assert properties.message_id == str(envelope.event_id)
        assert properties.delivery_mode == 2
        assert properties.content_type == "application/json"
    assert store.outbox_size() == 0


def test_a_drain_with_an_empty_outbox_publishes_nothing(
    store: EventStore, database_url: str, wake_port: int, fresh_rabbitmq_url: str
) -> None:
    relay = Relay(store, Publisher(fresh_rabbitmq_url), CommitListener(database_url, wake_port))
    try:
        assert relay.drain() == 0
    finally:
        relay.publisher.close()


# --------------------------------------------------------------------------- the nudge


def test_the_running_relay_publishes_an_append_promptly_because_the_commit_nudge_wakes_it(
    store: EventStore, database_url: str, wake_port: int, fresh_rabbitmq_url: str
) -> None:
    listener = OpenedListener(database_url, wake_port)
    relay = Relay(store, Publisher(fresh_rabbitmq_url, name="relay-test"), listener,
                  recovery_seconds=RECOVERY_SECONDS)
    tracker = QueueReader(fresh_rabbitmq_url, TRACKER_QUEUE)
    with relay_running(relay, store, wake_port):
        assert listener.opened.wait(30), "the relay never started listening"
        for complaint_id in ("0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a01",
                             "7d3e1c2a-9b8f-4e6d-a5c4-3b2a1f0e9d8c"):
            [appended] = append_history(store, complaint_id, upto=1)
            # the recovery timer is 30 s away: only the nudge explains delivery before it
            assert wait_for(partial(published, tracker, appended), timeout=NUDGE_BOUND)
    assert store.outbox_size() == 0
    assert [m.type for m in bodies(tracker.messages)] == ["complaint.registered"] * 2


class AppendsWhileStarting:
    """The real store; another writer's append commits just after the relay's first look."""

    def __init__(self, store: EventStore) -> None:
        self._store = store
        self.appended: list[Envelope] = []

    def outbox_batch(self, limit: int = 500) -> list[Envelope]:
        batch = self._store.outbox_batch(limit)
        if not self.appended and not batch:
            self.appended = append_history(self._store, "7d3e1c2a-9b8f-4e6d-a5c4-3b2a1f0e9d8c",
                                           upto=1)
        return batch

    def outbox_remove(self, positions: Sequence[int]) -> None:
        self._store.outbox_remove(positions)


def test_an_append_committed_while_the_relay_starts_up_is_not_left_for_the_recovery_timer(
    store: EventStore, database_url: str, wake_port: int, fresh_rabbitmq_url: str
) -> None:
    racing = AppendsWhileStarting(store)
    relay = Relay(racing, Publisher(fresh_rabbitmq_url, name="relay-test"),  # type: ignore[arg-type]
                  CommitListener(database_url, wake_port), recovery_seconds=RECOVERY_SECONDS)
    tracker = QueueReader(fresh_rabbitmq_url, TRACKER_QUEUE)
    with relay_running(relay, store, wake_port):
        assert wait_for(lambda: bool(racing.appended))
        delivered = wait_for(lambda: len(tracker.poll()) == 1, timeout=NUDGE_BOUND)
    assert delivered


# --------------------------------------------------------------------------- failures


def test_nothing_is_lost_while_the_broker_is_unreachable(
    store: EventStore, database_url: str, wake_port: int, fresh_rabbitmq_url: str
) -> None:
    appended = append_history(store, "0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a01")

    unreachable = Relay(store, Publisher(UNREACHABLE_BROKER),
                        CommitListener(database_url, wake_port))
    with pytest.raises(AMQPConnectionError):
        unreachable.drain()
    assert store.outbox_size() == 3

    relay = Relay(store, Publisher(fresh_rabbitmq_url), CommitListener(database_url, wake_port))
    try:
        assert relay.drain() == 3
    finally:
        relay.publisher.close()
    assert store.outbox_size() == 0
    assert [e.event_id for e in bodies(take_all(fresh_rabbitmq_url, TRACKER_QUEUE))] == [
        e.event_id for e in appended]


class FailsOnSecondMessage:
    """The real Publisher, but the link breaks after the first message of a batch went out."""

    def __init__(self, url: str) -> None:
        self.inner = Publisher(url)

    def publish(self, envelopes: Sequence[Envelope]) -> None:
        self.inner.publish(envelopes[:1])
        if len(envelopes) > 1:
            raise AMQPConnectionError("link lost before the second message's confirm")

    def close(self) -> None:
        self.inner.close()


def test_a_row_leaves_the_outbox_only_after_its_confirm_so_a_failed_batch_is_retried_whole(
    store: EventStore, database_url: str, wake_port: int, fresh_rabbitmq_url: str
) -> None:
    appended = append_history(store, "0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a01")
    failing = FailsOnSecondMessage(fresh_rabbitmq_url)
    broken = Relay(store, failing, CommitListener(database_url, wake_port))  # type: ignore[arg-type]
    try:
        with pytest.raises(AMQPConnectionError):
            broken.drain()
    finally:
        failing.close()
    assert store.outbox_size() == 3  # even the first, whose message did reach the broker

    relay = Relay(store, Publisher(fresh_rabbitmq_url), CommitListener(database_url, wake_port))
    try:
        assert relay.drain() == 3
    finally:
        relay.publisher.close()
    assert store.outbox_size() == 0
    received = [e.event_id for e in bodies(take_all(fresh_rabbitmq_url, TRACKER_QUEUE))]
    expected = [e.event_id for e in appended]
    assert received == expected[:1] + expected  # the first twice: duplicates, never a loss
