"""The publisher gives up a connection after any failure (shared/messaging/publisher.py).

pika's fakes here stand for what a broker killed mid-publish did for real
(tests/faults/test_relay_broker_killed.py): a bare ``ValueError`` from
``basic_publish`` or ``process_data_events``, which is no ``AMQPError``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

import shared.messaging.publisher as publisher_module
from shared.events import Envelope
from shared.messaging.publisher import Publisher


class FakeChannel:
    def __init__(self, connection: FakeConnection) -> None:
        self.connection = connection
        self.is_open = True
        self.published: list[str] = []

    def basic_publish(self, _exchange: str, routing_key: str, *_args: Any, **_kw: Any) -> None:
        if self.connection.fail_publish:
            raise ValueError("Timeout closed before call")
        self.published.append(routing_key)

    def __getattr__(self, _name: str) -> Any:  # exchange_declare, queue_bind, confirm_delivery…
        return lambda *args, **kwargs: None


class FakeConnection:
    opened: ClassVar[list[FakeConnection]] = []

    def __init__(self, _parameters: Any) -> None:
        self.is_open = True
        self.fail_publish = False
        self.fail_events = False
        self.closed = False
        self.channels: list[FakeChannel] = []
        FakeConnection.opened.append(self)

    def channel(self) -> FakeChannel:
        self.channels.append(FakeChannel(self))
        return self.channels[-1]

    def process_data_events(self, time_limit: float = 0) -> None:
        if self.fail_events:
            raise ValueError("Timeout closed before call")

    def close(self) -> None:
        self.closed = True
        raise ValueError("closing a dead connection fails too")


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[FakeConnection]:
    FakeConnection.opened = []
    monkeypatch.setattr(publisher_module.pika, "BlockingConnection", FakeConnection)
    return FakeConnection.opened


def envelope() -> Envelope:
    return Envelope(event_id=uuid.uuid4(), stream_id="complaint-1", version=1,
                    type="complaint.registered", schema_version=1,
                    occurred_at=datetime.now(UTC), payload={})


def test_a_bare_value_error_while_publishing_drops_the_connection_and_the_next_publish_reconnects(
    connections: list[FakeConnection],
) -> None:
    publisher = Publisher("amqp://fake/")
    publisher.publish([envelope()])
    connections[0].fail_publish = True

    with pytest.raises(ValueError, match="Timeout closed before call"):
        publisher.publish([envelope()])
    assert connections[0].closed

    publisher.publish([envelope()])
    assert len(connections) == 2
    assert connections[1].channels[0].published == ["complaint.registered"]


def test_a_bare_value_error_noticed_while_idle_reconnects_before_publishing(
    connections: list[FakeConnection],
) -> None:
    publisher = Publisher("amqp://fake/")
    publisher.publish([envelope()])
    connections[0].fail_events = True  # the broker went away while the relay idled

    publisher.publish([envelope()])
    assert len(connections) == 2
    assert connections[1].channels[0].published == ["complaint.registered"]


def test_a_healthy_connection_is_kept_across_publishes(connections: list[FakeConnection]) -> None:
    publisher = Publisher("amqp://fake/")
    for _ in range(3):
        publisher.publish([envelope()])
    assert len(connections) == 1
