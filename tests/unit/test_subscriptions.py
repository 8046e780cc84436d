"""What each consumer reads, ignores and parks (shared/messaging/subscription.py), and the
topology's promise that every routing key it binds has an event class behind it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest

import shared.events as events_module
from services.dispatcher.handlers import SUBSCRIPTION as DISPATCHER
from services.reporting.handlers import SUBSCRIPTION as REPORTING
from services.tracker.handlers import SUBSCRIPTION as TRACKER
from shared.domain import events as ev
from shared.events import (
    Envelope,
    Event,
    UnknownEventType,
    registered_types,
    routes_by_department,
    routing_key_for,
)
from shared.messaging.subscription import (
    Subscription,
    UndeclaredEventType,
    UnsupportedSchemaVersion,
    screen,
)
from shared.messaging.topology import (
    BINDINGS,
    DEPARTMENTS,
    DISPATCHER_QUEUE,
    REPORTING_QUEUE,
    TRACKER_QUEUE,
)

REGISTRATIONS = Subscription.of(handled=[ev.ComplaintRegistered.type],
                                ignored=[ev.ComplaintWithdrawn.type])


def envelope(event_type: str, schema_version: int = 1, **payload: Any) -> Envelope:
    return Envelope(event_id=uuid.uuid4(), stream_id="complaint-1", version=1, type=event_type,
                    schema_version=schema_version, occurred_at=datetime.now(UTC),
                    payload=payload)


# --------------------------------------------------------------------------- screening


def test_a_handled_type_in_its_current_version_goes_to_the_handler() -> None:
    assert screen(envelope("complaint.registered"), REGISTRATIONS, "q") is True


def test_a_deliberately_ignored_type_is_acked_without_the_handler() -> None:
    assert screen(envelope("complaint.withdrawn"), REGISTRATIONS, "q") is False
    # It is not read, so a version this code does not know does not matter.
    assert screen(envelope("complaint.withdrawn", 99), REGISTRATIONS, "q") is False


def test_an_unknown_type_is_refused_naming_it() -> None:
    with pytest.raises(UnknownEventType, match=r"^unknown event type 'foo\.bar'$"):
        screen(envelope("foo.bar"), REGISTRATIONS, "q")


def test_a_registered_type_the_service_never_declared_is_refused_naming_the_queue() -> None:
    with pytest.raises(UndeclaredEventType,
                       match=r"'workorder\.completed' is neither handled nor ignored on queue 'q'"):
        screen(envelope("workorder.completed"), REGISTRATIONS, "q")


def test_a_newer_schema_version_is_refused_saying_what_this_service_reads() -> None:
    with pytest.raises(UnsupportedSchemaVersion) as refused:
        screen(envelope("complaint.registered", 99), REGISTRATIONS, "q")
    assert str(refused.value) == ("unsupported schema_version 99 for 'complaint.registered' "
                                  "(this service reads up to 1)")


def test_a_schema_version_below_one_is_refused() -> None:
    with pytest.raises(UnsupportedSchemaVersion, match="schema_version 0"):
        screen(envelope("complaint.registered", 0), REGISTRATIONS, "q")


class _Versioned(Event):
    type: ClassVar[str] = "test.versioned"
    schema_version: ClassVar[int] = 3
    name: str


def test_an_older_version_is_read_only_when_upcasters_lead_to_the_current_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Registered for this test only: the service subscriptions below cover the real registry.
    monkeypatch.setitem(events_module._REGISTRY, _Versioned.type, _Versioned)
    monkeypatch.setitem(events_module._UPCASTERS, (_Versioned.type, 2),
                        lambda payload: {"name": payload["title"]})
    versioned = Subscription.of(handled=[_Versioned.type])

    assert screen(envelope(_Versioned.type, 2, title="x"), versioned, "q") is True
    with pytest.raises(UnsupportedSchemaVersion, match=r"schema_version 1 .* no upcaster"):
        screen(envelope(_Versioned.type, 1, title="x"), versioned, "q")


def test_a_subscription_may_not_both_handle_and_ignore_a_type() -> None:
    with pytest.raises(ValueError, match=r"complaint\.registered"):
        Subscription.of(handled=["complaint.registered"], ignored=["complaint.registered"])


def test_a_subscription_lists_the_declared_types_nobody_registered() -> None:
    assert Subscription.of(handled=["complaint.registred"]).unregistered() == [
        "complaint.registred"]
    assert DISPATCHER.unregistered() == TRACKER.unregistered() == REPORTING.unregistered() == []


# --------------------------------------------------------------------------- the services


def topic_matches(pattern: str, key: str) -> bool:
    """AMQP topic matching: ``*`` one word, ``#`` zero or more words."""
    def match(p: list[str], k: list[str]) -> bool:
        if not p:
            return not k
        if p[0] == "#":
            return any(match(p[1:], k[i:]) for i in range(len(k) + 1))
        return bool(k) and p[0] in ("*", k[0]) and match(p[1:], k[1:])
    return match(pattern.split("."), key.split("."))


def keys_of(event_type: str) -> list[str]:
    """Every routing key an event of this type is published under."""
    if event_type == ev.WorkOrderReassigned.type:  # to one department, from another
        return [routing_key_for(event_type, d, f) for d in DEPARTMENTS for f in DEPARTMENTS
                if d != f]
    if event_type.startswith("workorder."):
        return [routing_key_for(event_type, d) for d in DEPARTMENTS]
    if routes_by_department(event_type):  # P-12: with a department, or before routing without
        return [routing_key_for(event_type, d) for d in (*DEPARTMENTS, None)]
    return [routing_key_for(event_type, None)]


# The domain's event types: other tests register types of their own in the same registry.
DOMAIN_TYPES = sorted({cls.type for cls in vars(ev).values()
                       if isinstance(cls, type) and issubclass(cls, Event) and cls is not Event})


def test_every_domain_event_type_is_registered() -> None:
    assert set(DOMAIN_TYPES) <= set(registered_types())


def types_reaching(queue: str) -> set[str]:
    return {t for t in DOMAIN_TYPES
            if any(topic_matches(b, k) for b in BINDINGS[queue] for k in keys_of(t))}


@pytest.mark.parametrize(("queue", "subscription"), [
    (DISPATCHER_QUEUE, DISPATCHER), (TRACKER_QUEUE, TRACKER), (REPORTING_QUEUE, REPORTING)])
def test_every_event_type_that_reaches_a_services_queue_is_declared_handled_or_ignored(
    queue: str, subscription: Subscription,
) -> None:
    undeclared = types_reaching(queue) - subscription.handled - subscription.ignored
    assert not undeclared, f"{queue}: decide whether to handle or ignore {sorted(undeclared)}"


def test_the_dispatcher_handles_registrations_only() -> None:
    assert DISPATCHER.handled == {"complaint.registered"}


def test_every_bound_routing_key_has_an_event_class_behind_it() -> None:
    published = {k for t in DOMAIN_TYPES for k in keys_of(t)}
    for queue, patterns in BINDINGS.items():
        for pattern in patterns:
            assert any(topic_matches(pattern, k) for k in published), (
                f"{queue} binds {pattern!r}, which no event class is published under")


# --- reassign and reopen: "orders reassigned to or from it, reopened" (contract.md) ---


def queues_receiving(key: str) -> set[str]:
    return {q for q, patterns in BINDINGS.items() if any(topic_matches(p, key) for p in patterns)}


def test_a_reassignment_reaches_the_new_and_the_old_department_s_queues_only() -> None:
    moved = ev.WorkOrderReassigned(department="environment", from_department="engineering",
                                   reason="x")
    assert moved.routing_key() == "workorder.reassigned.environment.engineering"
    assert queues_receiving(moved.routing_key()) == {
        "dept.environment", "dept.engineering", TRACKER_QUEUE, REPORTING_QUEUE}


def test_a_reopened_order_reaches_the_department_that_holds_it() -> None:
    reopened = ev.WorkOrderReopened(department="engineering", team="水电班", reason="x")
    assert queues_receiving(reopened.routing_key()) == {
        "dept.engineering", TRACKER_QUEUE, REPORTING_QUEUE}


def test_topic_matching_as_the_broker_does_it() -> None:
    assert topic_matches("#", "complaint.registered")
    assert topic_matches("workorder.*.engineering", "workorder.dispatched.engineering")
    assert not topic_matches("workorder.*", "workorder.dispatched.engineering")
    assert topic_matches("workorder.#", "workorder.dispatched.engineering")
