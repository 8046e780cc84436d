"""The consumer loop reconnects whatever pika raised when the link failed.

A broker killed or frozen mid-call can surface from pika as a bare
``ValueError`` or ``AMQPConnectorStackTimeout``, not an AMQP error
(field-notes.md). The loop must treat those as a lost connection too, or the
consumer thread dies while the service keeps answering HTTP.
"""

from __future__ import annotations

import threading

import pytest
from pika.adapters.utils.connection_workflow import AMQPConnectorStackTimeout
from pika.exceptions import StreamLostError

from shared.messaging import consumer
from shared.messaging.subscription import Subscription

FAILURES: list[Exception] = [
    ValueError("Timeout closed before call"),
    AMQPConnectorStackTimeout("frozen broker"),
    StreamLostError("killed broker"),
]


def test_every_kind_of_link_failure_is_followed_by_a_reconnect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stop = threading.Event()
    attempts: list[int] = []

    def run_connection(self: consumer._Consumer) -> None:
        attempts.append(len(attempts) + 1)
        if len(attempts) <= len(FAILURES):
            raise FAILURES[len(attempts) - 1]
        stop.set()  # the fourth connection works; the service is then stopped

    monkeypatch.setattr(consumer._Consumer, "run_connection", run_connection)
    monkeypatch.setattr(consumer, "BACKOFF_FIRST_SECONDS", 0.001)
    monkeypatch.setattr(consumer, "BACKOFF_CAP_SECONDS", 0.001)

    consumer.run_consumer("amqp://unused", "tracker", lambda _envelope: None, stop,
                          subscription=Subscription.of(handled=[]))

    assert attempts == [1, 2, 3, 4]
