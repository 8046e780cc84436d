"""The broker layer on a real RabbitMQ: topology, publisher, consumer loop.

Every test gets a vhost of its own (``fresh_rabbitmq_url``), so queue contents
and topology never leak between tests. Waits poll for an outcome with a
generous bound; nothing here asserts a speed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from pika.exceptions import AMQPConnectionError, UnroutableError

import shared.domain.events  # noqa: F401  (registers the event types the consumer screens)
from shared.events import Envelope
from shared.messaging.consumer import run_consumer
from shared.messaging.publisher import Publisher
from shared.messaging.subscription import Subscription
from shared.messaging.topology import (
    BINDINGS,
    DEPARTMENT_QUEUES,
    DEPARTMENTS,
    DISPATCHER_QUEUE,
    EXCHANGE,
    PARKING_QUEUE,
    REPORTING_QUEUE,
    TRACKER_QUEUE,
    broker_reachable,
    declare_topology,
    envelope_from_body,
)
from tests.integration.support import WAIT_SECONDS, channel_on, wait_for

pytestmark = pytest.mark.broker

SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000
# What these tests' handlers take, unless a test says otherwise.
REGISTRATIONS = Subscription.of(handled=["complaint.registered"])


# --------------------------------------------------------------------------- helpers


def envelope(event_type: str = "complaint.registered", **payload: Any) -> Envelope:
    complaint = uuid.uuid4()
    return Envelope(
        event_id=uuid.uuid4(),
        stream_id=f"complaint-{complaint}",
        version=1,
        type=event_type,
        schema_version=1,
        occurred_at=datetime.now(UTC),
        payload={"complaint_id": str(complaint), **payload},
    )


def message_count(url: str, queue: str) -> int:
    """Ready messages in ``queue`` (unacked ones are not counted)."""
    with channel_on(url) as channel:
        return int(channel.queue_declare(queue, passive=True).method.message_count)


def counts_settle(url: str, expected: dict[str, int]) -> bool:
    return wait_for(lambda: {q: message_count(url, q) for q in expected} == expected)


def vhost_of(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/"))


def rabbitmqctl(*args: str) -> str:
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        pytest.skip("needs rabbitmqctl on this machine")
    return subprocess.run([ctl, "-q", *args], check=True, capture_output=True, text=True).stdout


def connection_pids(url: str, name: str) -> list[str]:
    """Broker pids of the connections in ``url``'s vhost named ``name`` (connection_name)."""
    listing = rabbitmqctl("list_connections", "-p", vhost_of(url), "pid", "client_properties")
    needle = f'{{"connection_name","{name}"}}'
    return [line.split("\t", 1)[0] for line in listing.splitlines() if needle in line]


def reconnected(url: str, name: str, old_pid: str) -> bool:
    pids = connection_pids(url, name)
    return bool(pids) and old_pid not in pids


class Recorder:
    """A handler that records every envelope and raises for the event ids it is told to."""

    def __init__(self, fail_always: set[uuid.UUID] | None = None) -> None:
        self.fail_always = fail_always or set()
        self.fail_once: set[uuid.UUID] = set()
        self.calls: Counter[uuid.UUID] = Counter()
        self.handled: list[Envelope] = []
        self._lock = threading.Lock()

    def __call__(self, envelope: Envelope) -> None:
        with self._lock:
            self.calls[envelope.event_id] += 1
            if envelope.event_id in self.fail_always:
                raise PoisonError(f"cannot handle {envelope.event_id}")
            if envelope.event_id in self.fail_once:
                self.fail_once.discard(envelope.event_id)
                raise RuntimeError("transient failure")
            self.handled.append(envelope)

    def handled_ids(self) -> set[uuid.UUID]:
        with self._lock:
            return {e.event_id for e in self.handled}


class PoisonError(Exception):
    pass


@contextmanager
def consumer_running(
    url: str, queue: str, handler: Callable[[Envelope], None], **options: Any
) -> Iterator[threading.Thread]:
    """``run_consumer`` on a thread; on exit, stop it and check it returned cleanly."""
    stop = threading.Event()
    errors: list[BaseException] = []
    options.setdefault("subscription", REGISTRATIONS)

    def target() -> None:
        try:
            run_consumer(url, queue, handler, stop, **options)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name=f"consumer-{queue}", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(WAIT_SECONDS)
    assert not thread.is_alive(), "run_consumer did not return after stop"
    assert errors == [], f"run_consumer raised: {errors!r}"


def parked_messages(url: str) -> list[tuple[Any, bytes]]:
    """Take everything off the parking lot: (properties, body) pairs."""
    with channel_on(url) as channel:
        messages: list[tuple[Any, bytes]] = []
        while True:
            method, properties, body = channel.basic_get(PARKING_QUEUE, auto_ack=True)
            if method is None:
                return messages
            messages.append((properties, body))


def wait_for_parked(url: str, count: int) -> list[tuple[Any, bytes]]:
    parked: list[tuple[Any, bytes]] = []

    def enough() -> bool:
        parked.extend(parked_messages(url))
        return len(parked) >= count

    wait_for(enough)
    return parked


# --------------------------------------------------------------------------- topology


def test_a_dispatched_work_order_reaches_its_department_tracker_and_reporting_only(
    fresh_rabbitmq_url: str,
) -> None:
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([envelope("workorder.dispatched", department="engineering")])

    expected = {q: 0 for q in BINDINGS}
    expected |= {"dept.engineering": 1, TRACKER_QUEUE: 1, REPORTING_QUEUE: 1}
    assert counts_settle(fresh_rabbitmq_url, expected)


def test_a_registration_reaches_the_dispatcher_and_customer_service(
    fresh_rabbitmq_url: str,
) -> None:
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([envelope("complaint.registered")])

    expected = {q: 0 for q in BINDINGS}
    expected |= {
        DISPATCHER_QUEUE: 1,
        "dept.customer_service": 1,
        TRACKER_QUEUE: 1,
        REPORTING_QUEUE: 1,
    }
    assert counts_settle(fresh_rabbitmq_url, expected)


def test_an_escalation_reaches_leadership(fresh_rabbitmq_url: str) -> None:
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([envelope("complaint.escalated")])

    expected = {q: 0 for q in BINDINGS}
    expected |= {"dept.leadership": 1, TRACKER_QUEUE: 1, REPORTING_QUEUE: 1}
    assert counts_settle(fresh_rabbitmq_url, expected)


# --- P-12 serious complaints: leadership and the head of the department concerned


@pytest.mark.parametrize("event_type", ["complaint.escalated", "complaint.inspected"])
def test_a_serious_complaint_reaches_leadership_and_the_department_concerned_alone(
    fresh_rabbitmq_url: str, event_type: str
) -> None:
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([envelope(event_type, department="engineering")])

    expected = {q: 0 for q in BINDINGS}
    expected |= {"dept.leadership": 1, "dept.engineering": 1, TRACKER_QUEUE: 1,
                 REPORTING_QUEUE: 1}
    assert counts_settle(fresh_rabbitmq_url, expected)


def test_every_department_event_reaches_that_department_alone(fresh_rabbitmq_url: str) -> None:
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([envelope("workorder.dispatched", department=d) for d in DEPARTMENTS])

    expected = {q: 1 for q in DEPARTMENT_QUEUES.values()}
    expected |= {DISPATCHER_QUEUE: 0, TRACKER_QUEUE: len(DEPARTMENTS)}
    assert counts_settle(fresh_rabbitmq_url, expected)


@pytest.mark.parametrize("event", ["teleported", "forgotten"])
def test_no_department_queue_binds_a_work_order_event_no_code_emits(
    fresh_rabbitmq_url: str, event: str
) -> None:
    # Keys arrive with their event classes; an event no code emits reaches only "#".
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([envelope(f"workorder.{event}", department=d) for d in DEPARTMENTS])

    expected = {q: 0 for q in DEPARTMENT_QUEUES.values()}
    expected |= {DISPATCHER_QUEUE: 0, TRACKER_QUEUE: len(DEPARTMENTS),
                 REPORTING_QUEUE: len(DEPARTMENTS)}
    assert counts_settle(fresh_rabbitmq_url, expected)


# --- reassign and reopen: "orders reassigned to or from it, reopened" ---


def test_a_reassignment_reaches_the_new_and_the_old_department_alone(
    fresh_rabbitmq_url: str,
) -> None:
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([envelope("workorder.reassigned", department="environment",
                                    from_department="engineering", reason="派错")])

    expected = {q: 0 for q in BINDINGS}
    expected |= {"dept.environment": 1, "dept.engineering": 1, TRACKER_QUEUE: 1,
                 REPORTING_QUEUE: 1}
    assert counts_settle(fresh_rabbitmq_url, expected)


def test_a_reopened_order_reaches_the_department_that_holds_it_alone(
    fresh_rabbitmq_url: str,
) -> None:
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([envelope("workorder.reopened", department="security",
                                    team="护管班", reason="x")])

    expected = {q: 0 for q in BINDINGS}
    expected |= {"dept.security": 1, TRACKER_QUEUE: 1, REPORTING_QUEUE: 1}
    assert counts_settle(fresh_rabbitmq_url, expected)


# --- P-9 B warnings and chases


@pytest.mark.parametrize("event", ["warned", "chased"])
def test_warnings_and_chases_reach_their_department_alone_P9B(
    fresh_rabbitmq_url: str, event: str
) -> None:
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([envelope(f"workorder.{event}", department=d) for d in DEPARTMENTS])

    expected = {q: 1 for q in DEPARTMENT_QUEUES.values()}
    expected |= {DISPATCHER_QUEUE: 0, TRACKER_QUEUE: len(DEPARTMENTS),
                 REPORTING_QUEUE: len(DEPARTMENTS)}
    assert counts_settle(fresh_rabbitmq_url, expected)


def test_declaring_the_topology_twice_gives_quorum_queues_that_park_failures_and_expire_feeds(
    fresh_rabbitmq_url: str,
) -> None:
    with channel_on(fresh_rabbitmq_url) as channel:
        declare_topology(channel)
        declare_topology(channel)

    listing = rabbitmqctl(
        "list_queues", "-p", vhost_of(fresh_rabbitmq_url), "name", "type", "durable",
        "arguments", "--formatter", "json",
    )  # fmt: skip
    queues = {q["name"]: q for q in json.loads(listing)}
    assert set(queues) == {*BINDINGS, PARKING_QUEUE}
    for name, queue in queues.items():
        arguments = {key: value for key, _type, value in queue["arguments"]}
        assert (queue["type"], queue["durable"]) == ("quorum", True), name
        if name == PARKING_QUEUE:
            assert "x-dead-letter-exchange" not in arguments
            continue
        assert arguments["x-delivery-limit"] >= 3, name
        ttl = arguments.get("x-message-ttl")
        assert ttl == (SEVEN_DAYS_MS if name.startswith("dept.") else None), name
        if name.startswith("dept."):  # console feeds: expired messages are dropped, not parked
            assert "x-dead-letter-exchange" not in arguments, name
            continue
        assert arguments["x-dead-letter-exchange"] == "complaints.dead", name
        assert arguments["x-dead-letter-strategy"] == "at-least-once", name
        assert arguments["x-overflow"] == "reject-publish", name


# --------------------------------------------------------------------------- publisher


def test_the_publisher_confirms_a_batch_of_persistent_json_envelopes_with_headers(
    fresh_rabbitmq_url: str,
) -> None:
    batch = [envelope("complaint.registered", title=f"leak {i}") for i in range(5)]
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish(batch)

    received = []
    with channel_on(fresh_rabbitmq_url) as channel:
        for _ in batch:
            method, properties, body = channel.basic_get(DISPATCHER_QUEUE, auto_ack=True)
            assert method is not None, "a confirmed message is missing"
            assert method.routing_key == "complaint.registered"
            received.append((properties, body))

    assert [envelope_from_body(body) for _, body in received] == batch
    for (properties, _), sent in zip(received, batch, strict=True):
        assert properties.delivery_mode == 2
        assert properties.content_type == "application/json"
        assert properties.message_id == str(sent.event_id)
        assert properties.headers["event_type"] == sent.type
        assert properties.headers["event_id"] == str(sent.event_id)


def test_the_publisher_raises_when_no_queue_is_bound_to_the_routing_key(
    fresh_rabbitmq_url: str,
) -> None:
    # Only tracker and reporting bind "#": once they are gone (an operator's
    # mistake), "nothing.bound" reaches no queue, and that must not pass silently.
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([envelope("complaint.registered")])
        with channel_on(fresh_rabbitmq_url) as channel:
            channel.queue_delete(TRACKER_QUEUE)
            channel.queue_delete(REPORTING_QUEUE)

        with pytest.raises(UnroutableError):
            publisher.publish([envelope("nothing.bound")])

        publisher.publish([envelope("complaint.registered")])
    assert counts_settle(fresh_rabbitmq_url, {DISPATCHER_QUEUE: 2})


def test_the_publisher_reconnects_on_the_publish_after_the_broker_closed_its_connection(
    fresh_rabbitmq_url: str,
) -> None:
    name = f"test-publisher-{uuid.uuid4().hex[:8]}"
    with Publisher(fresh_rabbitmq_url, name=name) as publisher:
        publisher.publish([envelope()])
        [first] = connection_pids(fresh_rabbitmq_url, name)
        rabbitmqctl("close_connection", first, "test")

        # The contract: a failure may surface once; the publish after it reconnects.
        try:
            publisher.publish([envelope()])
        except AMQPConnectionError:
            publisher.publish([envelope()])

        assert wait_for(lambda: reconnected(fresh_rabbitmq_url, name, first))
    assert counts_settle(fresh_rabbitmq_url, {DISPATCHER_QUEUE: 2})


# --------------------------------------------------------------------------- consumer


def test_the_consumer_handles_every_message_once_and_acks_each(
    fresh_rabbitmq_url: str,
) -> None:
    batch = [envelope() for _ in range(25)]
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish(batch)
    recorder = Recorder()

    with consumer_running(fresh_rabbitmq_url, DISPATCHER_QUEUE, recorder, prefetch=5):
        assert wait_for(lambda: len(recorder.handled) == len(batch))

    # The consumer has closed its connection: anything left unacked would be
    # back in the queue now.
    assert sorted(e.event_id for e in recorder.handled) == sorted(e.event_id for e in batch)
    assert set(recorder.calls.values()) == {1}
    assert message_count(fresh_rabbitmq_url, DISPATCHER_QUEUE) == 0


def test_a_message_whose_handler_fails_once_is_delivered_again_and_handled(
    fresh_rabbitmq_url: str,
) -> None:
    # Were it acked before the handler ran, the failure would lose it.
    flaky = envelope()
    recorder = Recorder()
    recorder.fail_once.add(flaky.event_id)
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([flaky])

    with consumer_running(fresh_rabbitmq_url, DISPATCHER_QUEUE, recorder):
        assert wait_for(lambda: flaky.event_id in recorder.handled_ids())

    assert recorder.calls[flaky.event_id] == 2
    assert parked_messages(fresh_rabbitmq_url) == []


def test_a_poison_message_is_parked_with_its_error_after_max_attempts_and_the_queue_flows(
    fresh_rabbitmq_url: str,
) -> None:
    poison = envelope()
    after = [envelope() for _ in range(10)]
    recorder = Recorder(fail_always={poison.event_id})
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([poison, *after])

    with consumer_running(fresh_rabbitmq_url, DISPATCHER_QUEUE, recorder, max_attempts=3):
        assert wait_for(lambda: recorder.handled_ids() == {e.event_id for e in after})
        parked = wait_for_parked(fresh_rabbitmq_url, 1)

    assert recorder.calls[poison.event_id] == 3
    [(properties, body)] = parked
    assert envelope_from_body(body) == poison
    assert properties.message_id == str(poison.event_id)
    assert properties.headers["event_id"] == str(poison.event_id)
    assert properties.headers["x-error"].startswith("PoisonError: cannot handle")
    assert properties.headers["x-original-queue"] == DISPATCHER_QUEUE
    assert properties.headers["x-original-routing-key"] == "complaint.registered"
    assert message_count(fresh_rabbitmq_url, DISPATCHER_QUEUE) == 0


def test_a_body_that_is_no_envelope_is_parked_at_once_without_reaching_the_handler(
    fresh_rabbitmq_url: str,
) -> None:
    good = envelope()
    with channel_on(fresh_rabbitmq_url) as channel:
        declare_topology(channel)
        channel.basic_publish(EXCHANGE, "complaint.registered", b"{not json")
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish([good])
    recorder = Recorder()

    with consumer_running(fresh_rabbitmq_url, DISPATCHER_QUEUE, recorder):
        assert wait_for(lambda: good.event_id in recorder.handled_ids())
        parked = wait_for_parked(fresh_rabbitmq_url, 1)

    [(properties, body)] = parked
    assert body == b"{not json"
    assert properties.headers["x-error"].startswith("ValidationError")
    assert list(recorder.calls) == [good.event_id]


def test_the_consumer_reconnects_after_the_broker_force_closes_its_connection(
    fresh_rabbitmq_url: str,
) -> None:
    name = f"test-consumer-{uuid.uuid4().hex[:8]}"
    before = [envelope() for _ in range(3)]
    after = [envelope() for _ in range(3)]
    recorder = Recorder()
    with Publisher(fresh_rabbitmq_url) as publisher:
        publisher.publish(before)
        with consumer_running(fresh_rabbitmq_url, DISPATCHER_QUEUE, recorder, name=name) as thread:
            assert wait_for(lambda: recorder.handled_ids() == {e.event_id for e in before})
            [first] = connection_pids(fresh_rabbitmq_url, name)

            # CONNECTION_FORCED (320), as a broker stop sends it.
            rabbitmqctl("close_connection", first, "test")
            assert wait_for(lambda: reconnected(fresh_rabbitmq_url, name, first))
            publisher.publish(after)

            everything = {e.event_id for e in before + after}
            assert wait_for(lambda: recorder.handled_ids() == everything)
            assert thread.is_alive()


def test_run_consumer_returns_promptly_after_stop_is_set(fresh_rabbitmq_url: str) -> None:
    name = f"test-consumer-{uuid.uuid4().hex[:8]}"
    with consumer_running(fresh_rabbitmq_url, DISPATCHER_QUEUE, Recorder(), name=name) as thread:
        assert wait_for(lambda: len(connection_pids(fresh_rabbitmq_url, name)) == 1)
    # consumer_running has set stop and joined (a bounded wait, checked there).
    assert not thread.is_alive()
    assert wait_for(lambda: connection_pids(fresh_rabbitmq_url, name) == [])


def test_run_consumer_keeps_retrying_while_the_broker_is_unreachable_and_still_stops() -> None:
    unreachable = "amqp://guest:guest@127.0.0.1:1/%2F"
    with consumer_running(unreachable, DISPATCHER_QUEUE, Recorder()) as thread:
        time.sleep(1.5)  # several back-off rounds
        assert thread.is_alive()


def test_broker_reachable_tells_a_running_broker_from_a_closed_port(rabbitmq_url: str) -> None:
    assert broker_reachable(rabbitmq_url)
    assert not broker_reachable("amqp://guest:guest@127.0.0.1:1/%2F", timeout=1.0)


def test_run_consumer_refuses_more_attempts_than_the_queues_delivery_limit() -> None:
    # The broker would dead-letter first, and the parked message would lack x-error.
    with pytest.raises(ValueError, match="max_attempts"):
        run_consumer(
            "amqp://unused/", DISPATCHER_QUEUE, Recorder(), threading.Event(),
            subscription=REGISTRATIONS, max_attempts=99,
        )
