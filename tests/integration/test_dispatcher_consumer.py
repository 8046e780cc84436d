"""The dispatcher's queue edge on a real store, and end to end with the relay on a real broker."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.dispatcher.handlers import CONSUMER, DispatcherHandlers, UnroutedSweep
from shared.app.bootstrap import ServiceContext
from shared.app.clock import FixedClock, SystemClock
from shared.app.settings import Settings
from shared.domain import commands as c
from shared.events import Envelope, Metadata
from shared.eventstore.commit_nudge import CommitListener
from shared.eventstore.schema import processed_messages
from shared.eventstore.store import EventStore
from shared.messaging.consumer import run_consumer
from shared.messaging.publisher import Publisher
from shared.messaging.relay import Relay
from shared.messaging.topology import DISPATCHER_QUEUE, envelope_from_body, message_body
from shared.policy import load_policy
from tests.integration.support import QueueReader, nudge, wait_for

NOW = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
ELEVATOR = "0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a01"


def context_for(store: EventStore, database_url: str, rabbitmq_url: str,
                clock: FixedClock | SystemClock) -> ServiceContext:
    settings = Settings(database_url=database_url, rabbitmq_url=rabbitmq_url)
    return ServiceContext("dispatcher", settings, load_policy(), store, clock)


def register(context: ServiceContext, complaint_id: str = ELEVATOR, description: str = "电梯坏了",
             severity: str = "normal") -> Envelope:
    """The registration as the intake service records it; its envelope as a consumer gets it."""
    outcome = context.handler.execute(
        complaint_id,
        c.RegisterComplaint(complaint_id=complaint_id, channel="kiosk", community="荔园一期",
                            unit="3-1502", customer_name="张三", phone="13800138000",
                            description=description, severity=severity),
        Metadata(correlation_id=f"corr-{complaint_id}", actor="kiosk"),
    )
    [recorded] = outcome.recorded
    return envelope_from_body(message_body(recorded))  # exactly what travels on the broker


def stream_types(store: EventStore, complaint_id: str) -> list[str]:
    return [e.type for e in store.read_stream(f"complaint-{complaint_id}")]


def processed_rows(store: EventStore) -> list[tuple[str, str]]:
    with store.engine.connect() as conn:
        query = sa.select(processed_messages.c.consumer, processed_messages.c.event_id)
        return [(str(consumer), str(event_id)) for consumer, event_id in conn.execute(query)]


# --------------------------------------------------------------------------- the handler


def test_a_registration_is_routed_and_dispatched_once_even_when_redelivered(
    store: EventStore, database_url: str, rabbitmq_url: str
) -> None:
    context = context_for(store, database_url, rabbitmq_url, FixedClock(NOW))
    registration = register(context)
    handlers = DispatcherHandlers(context)

    handlers.on_message(registration)

    history = store.read_stream(f"complaint-{ELEVATOR}")
    assert [e.type for e in history] == [
        "complaint.registered", "complaint.routed", "workorder.dispatched"]
    routed, dispatched = history[1], history[2]
    assert routed.payload["category"] == "repair.common_area"
    assert routed.payload["routed_by"] == "keyword" and routed.payload["keyword"] == "电梯"
    assert dispatched.payload["department"] == "engineering"
    assert dispatched.payload["due_at"] == "2026-11-30T01:00:00Z"  # 24 h commitment
    assert dispatched.routing_key() == "workorder.dispatched.engineering"
    for envelope in (routed, dispatched):
        assert envelope.metadata.causation_id == str(registration.event_id)
        assert envelope.metadata.correlation_id == f"corr-{ELEVATOR}"
        assert envelope.metadata.actor == "dispatcher"
    assert processed_rows(store) == [(CONSUMER, str(registration.event_id))]
    head, outbox = store.head_position(), store.outbox_size()

    handlers.on_message(registration)  # a redelivery

    assert store.head_position() == head
    assert store.outbox_size() == outbox
    assert len(store.read_stream(f"complaint-{ELEVATOR}")) == 3
    assert store.was_processed(CONSUMER, str(registration.event_id))
    assert processed_rows(store) == [(CONSUMER, str(registration.event_id))]


def test_two_competing_consumers_handling_one_registration_at_once_dispatch_it_once(
    store: EventStore, database_url: str, rabbitmq_url: str
) -> None:
    context = context_for(store, database_url, rabbitmq_url, FixedClock(NOW))
    registrations = [register(context, complaint_id=f"0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a{i:02d}")
                     for i in range(10)]
    errors: list[BaseException] = []

    def consume(envelope: Envelope, barrier: threading.Barrier) -> None:
        handlers = DispatcherHandlers(context)
        barrier.wait()
        try:
            handlers.on_message(envelope)
        except BaseException as exc:
            errors.append(exc)

    for registration in registrations:
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=consume, args=(registration, barrier))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    for registration in registrations:
        complaint_id = registration.payload["complaint_id"]
        assert stream_types(store, complaint_id) == [
            "complaint.registered", "complaint.routed", "workorder.dispatched"]
    assert sorted(processed_rows(store)) == sorted(
        (CONSUMER, str(r.event_id)) for r in registrations)


def test_messages_other_than_a_registration_are_ignored(
    store: EventStore, database_url: str, rabbitmq_url: str
) -> None:
    context = context_for(store, database_url, rabbitmq_url, FixedClock(NOW))
    registration = register(context)
    handlers = DispatcherHandlers(context)
    handlers.on_message(registration)
    head = store.head_position()

    for later in store.read_stream(f"complaint-{ELEVATOR}")[1:]:
        handlers.on_message(envelope_from_body(message_body(later)))

    assert store.head_position() == head
    assert processed_rows(store) == [(CONSUMER, str(registration.event_id))]


# --------------------------------------------------------------------------- on the broker


@contextmanager
def running(*workers: Callable[[threading.Event], None], wake: Callable[[], None]
            ) -> Iterator[None]:
    """Each worker on its own thread (pika wants one connection per thread); stopped on exit."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def guarded(worker: Callable[[threading.Event], None]) -> Callable[[], None]:
        def target() -> None:
            try:
                worker(stop)
            except BaseException as exc:
                errors.append(exc)
        return target

    threads = [threading.Thread(target=guarded(w), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        def woken_and_stopped() -> bool:
            wake()
            return not any(t.is_alive() for t in threads)

        wait_for(woken_and_stopped)
    assert not any(t.is_alive() for t in threads), "a worker did not stop"
    assert errors == []


def headers_of(properties: object) -> dict[str, str]:
    return dict(getattr(properties, "headers", None) or {})


@pytest.mark.broker
@pytest.mark.parametrize("severity", ["normal", "serious"])
def test_a_registration_on_the_broker_is_dispatched_to_its_department_end_to_end(
    store: EventStore, database_url: str, wake_port: int, fresh_rabbitmq_url: str,
    severity: str,
) -> None:
    url = fresh_rabbitmq_url
    context = context_for(store, database_url, url, SystemClock())
    handlers = DispatcherHandlers(context)
    relay = Relay(store, Publisher(url, name="relay-test"), CommitListener(database_url, wake_port),
                  recovery_seconds=0.5)
    engineering = QueueReader(url, "dept.engineering")
    customer_service = QueueReader(url, "dept.customer_service")
    leadership = QueueReader(url, "dept.leadership")

    def consume(stop: threading.Event) -> None:
        run_consumer(url, DISPATCHER_QUEUE, handlers.on_message, stop,
                     subscription=handlers.subscription, name="dispatcher-test")

    with running(relay.run, consume, wake=lambda: nudge(store, wake_port)):
        registration = register(context, severity=severity)
        assert wait_for(lambda: context.handler.load(ELEVATOR)[0].status == "dispatched")
        assert wait_for(lambda: engineering.has(
            lambda p: headers_of(p).get("event_type") == "workorder.dispatched"))
        assert wait_for(lambda: customer_service.has(
            lambda p: headers_of(p).get("event_type") == "complaint.registered"))
        if severity == "serious":
            assert wait_for(lambda: leadership.has(
                lambda p: headers_of(p).get("event_type") == "complaint.escalated"))
        assert wait_for(lambda: store.outbox_size() == 0)

    history = store.read_stream(f"complaint-{ELEVATOR}")
    by_type = {e.type: e for e in history}
    expected = ["complaint.registered", "complaint.routed", "workorder.dispatched"]
    if severity == "serious":
        expected.append("complaint.escalated")
    assert [e.type for e in history] == expected

    [(properties, body)] = engineering.of_type("workorder.dispatched")
    dispatched = by_type["workorder.dispatched"]
    assert headers_of(properties)["event_type"] == "workorder.dispatched"
    assert headers_of(properties)["event_id"] == str(dispatched.event_id)
    assert envelope_from_body(body) == dispatched
    assert envelope_from_body(body).routing_key() == "workorder.dispatched.engineering"

    [(properties, body)] = customer_service.of_type("complaint.registered")
    assert headers_of(properties)["event_id"] == str(registration.event_id)
    assert envelope_from_body(body).event_id == registration.event_id

    leadership.poll()
    escalations = leadership.of_type("complaint.escalated")
    if severity == "serious":
        [(properties, body)] = escalations
        assert headers_of(properties)["event_id"] == str(by_type["complaint.escalated"].event_id)
        assert envelope_from_body(body).payload["department"] == "engineering"
    else:
        assert escalations == []
    # --- P-12: the head of the department concerned hears of it too
    if severity == "serious":
        assert wait_for(lambda: engineering.has(
            lambda p: headers_of(p).get("event_type") == "complaint.escalated"))
    engineering.poll()
    assert len(engineering.of_type("complaint.escalated")) == (severity == "serious")
    assert store.was_processed(CONSUMER, str(registration.event_id))


# --------------------------------------------------------------------------- the sweep


def test_a_registration_the_queue_never_brought_is_routed_by_the_sweep_once_it_is_due(
    store: EventStore, database_url: str, rabbitmq_url: str
) -> None:
    clock = FixedClock(SystemClock().now())
    context = context_for(store, database_url, rabbitmq_url, clock)
    register(context)  # no relay, no broker: the message never reaches the dispatcher
    sweep = UnroutedSweep(DispatcherHandlers(context))
    assert sweep.sweep() == 0  # within the grace period the queue gets its chance
    clock.at = clock.at + UnroutedSweep.GRACE + timedelta(seconds=1)
    assert sweep.sweep() == 1
    assert stream_types(store, ELEVATOR)[1:] == ["complaint.routed", "workorder.dispatched"]
    assert sweep.sweep() == 0  # handled: never twice


def test_the_sweep_leaves_registrations_the_queue_already_handled(
    store: EventStore, database_url: str, rabbitmq_url: str
) -> None:
    clock = FixedClock(SystemClock().now())
    context = context_for(store, database_url, rabbitmq_url, clock)
    handlers = DispatcherHandlers(context)
    handlers.on_message(register(context))
    clock.at = clock.at + timedelta(hours=1)
    assert UnroutedSweep(handlers).sweep() == 0
    assert stream_types(store, ELEVATOR).count("workorder.dispatched") == 1
