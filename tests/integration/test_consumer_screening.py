"""Poison that used to vanish: each service's consumer on a real RabbitMQ, screening what arrives.

An unknown event type, a schema version the service cannot read, and a type the
service never declared are parked on ``complaints.dead`` at once (no retries,
the handler never called) with a reason that says so; a type the service
deliberately ignores is acked with a debug line. Each test has a vhost of its own.
"""

from __future__ import annotations

from typing import Any

import pytest
import structlog

from services.dispatcher.handlers import SUBSCRIPTION as DISPATCHER
from services.reporting.handlers import SUBSCRIPTION as REPORTING
from services.tracker.handlers import SUBSCRIPTION as TRACKER
from shared.events import Envelope
from shared.messaging.subscription import Subscription
from shared.messaging.topology import (
    DISPATCHER_QUEUE,
    REPORTING_QUEUE,
    TRACKER_QUEUE,
    declare_topology,
    message_body,
    message_properties,
)
from tests.integration.support import channel_on, wait_for
from tests.integration.test_broker import (
    Recorder,
    consumer_running,
    envelope,
    message_count,
    wait_for_parked,
)

pytestmark = pytest.mark.broker

SERVICES = [
    pytest.param(DISPATCHER_QUEUE, DISPATCHER, id="dispatcher"),
    pytest.param(TRACKER_QUEUE, TRACKER, id="tracker"),
    pytest.param(REPORTING_QUEUE, REPORTING, id="reporting"),
]


def put_on(url: str, queue: str, *envelopes: Envelope) -> None:
    """Straight onto ``queue`` (the default exchange), whatever its bindings would take."""
    with channel_on(url) as channel:
        declare_topology(channel)
        channel.confirm_delivery()  # on the queue before the connection closes
        for item in envelopes:
            channel.basic_publish("", queue, message_body(item), message_properties(item))


def versioned(schema_version: int) -> Envelope:
    return envelope("complaint.registered").model_copy(update={"schema_version": schema_version})


def parks_at_once(url: str, queue: str, subscription: Subscription, poison: Envelope
                  ) -> dict[str, Any]:
    """Run the consumer over ``poison`` then a good registration; the parked copy's headers."""
    good = envelope("complaint.registered")
    put_on(url, queue, poison, good)
    recorder = Recorder()
    with consumer_running(url, queue, recorder, subscription=subscription, max_attempts=3):
        assert wait_for(lambda: good.event_id in recorder.handled_ids()), "the queue stopped"
        [(properties, _body)] = wait_for_parked(url, 1)
    assert poison.event_id not in recorder.calls, "the handler saw what it cannot read"
    assert message_count(url, queue) == 0
    assert properties.message_id == str(poison.event_id)
    assert properties.headers["x-original-queue"] == queue
    return dict(properties.headers)


@pytest.mark.parametrize(("queue", "subscription"), SERVICES)
def test_an_unknown_event_type_is_parked_at_once_saying_so(
    fresh_rabbitmq_url: str, queue: str, subscription: Subscription
) -> None:
    headers = parks_at_once(fresh_rabbitmq_url, queue, subscription, envelope("foo.bar"))
    assert headers["x-error"] == "UnknownEventType: unknown event type 'foo.bar'"


@pytest.mark.parametrize(("queue", "subscription"), SERVICES)
def test_an_unsupported_schema_version_is_parked_at_once_saying_what_the_service_reads(
    fresh_rabbitmq_url: str, queue: str, subscription: Subscription
) -> None:
    headers = parks_at_once(fresh_rabbitmq_url, queue, subscription, versioned(99))
    assert headers["x-error"] == (
        "UnsupportedSchemaVersion: unsupported schema_version 99 for 'complaint.registered' "
        "(this service reads up to 1)")


def test_a_type_the_dispatcher_never_declared_is_parked_not_dropped(
    fresh_rabbitmq_url: str,
) -> None:
    # A withdrawal has no business on the dispatcher's queue: it shows instead of vanishing.
    headers = parks_at_once(fresh_rabbitmq_url, DISPATCHER_QUEUE, DISPATCHER,
                            envelope("complaint.withdrawn"))
    assert headers["x-error"] == ("UndeclaredEventType: event type 'complaint.withdrawn' is "
                                  "neither handled nor ignored on queue 'dispatcher'")


def test_a_deliberately_ignored_type_is_acked_with_a_debug_line_and_never_parked(
    fresh_rabbitmq_url: str,
) -> None:
    url = fresh_rabbitmq_url
    ignoring = Subscription.of(handled=["complaint.registered"], ignored=["complaint.withdrawn"])
    ignored, good = envelope("complaint.withdrawn"), envelope("complaint.registered")
    put_on(url, DISPATCHER_QUEUE, ignored, good)
    recorder = Recorder()
    with (structlog.testing.capture_logs() as logs,
          consumer_running(url, DISPATCHER_QUEUE, recorder, subscription=ignoring)):
        assert wait_for(lambda: good.event_id in recorder.handled_ids())
        assert wait_for(lambda: message_count(url, DISPATCHER_QUEUE) == 0)

    assert ignored.event_id not in recorder.calls
    assert message_count(url, "complaints.dead") == 0
    [line] = [e for e in logs if e["event"] == "consumer.ignored"]
    assert (line["log_level"], line["event_type"]) == ("debug", "complaint.withdrawn")
