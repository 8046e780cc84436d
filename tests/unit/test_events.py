"""The event registry, the envelope and schema evolution by upcasters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest
from pydantic import ValidationError

from shared.domain import events as ev
from shared.events import (
    Envelope,
    Event,
    Metadata,
    UnknownEventType,
    new_envelope,
    register,
    to_event,
    upcaster,
)

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@register
class ThingRenamed(Event):
    """Version 2 renamed ``title`` to ``name``; version-1 events must still read."""

    type: ClassVar[str] = "test.thing_renamed"
    schema_version: ClassVar[int] = 2
    name: str


@upcaster("test.thing_renamed", from_version=1)
def _title_becomes_name(payload: dict[str, object]) -> dict[str, object]:
    return {"name": payload["title"]}


def test_a_stored_old_version_is_upcast_when_read() -> None:
    stored = Envelope(event_id="00000000-0000-0000-0000-000000000001", stream_id="t-1",
                      version=1, type="test.thing_renamed", schema_version=1, occurred_at=NOW,
                      payload={"title": "old"})
    assert to_event(stored) == ThingRenamed(name="old")


def test_a_new_envelope_carries_type_schema_version_and_metadata() -> None:
    envelope = new_envelope("t-1", 1, ThingRenamed(name="x"), NOW,
                            Metadata(actor="desk-07", correlation_id="c-1"))
    assert (envelope.type, envelope.schema_version, envelope.version) == (
        "test.thing_renamed", 2, 1)
    assert envelope.metadata.actor == "desk-07"
    assert to_event(envelope) == ThingRenamed(name="x")


def test_an_unknown_event_type_is_refused_by_name() -> None:
    stored = Envelope(event_id="00000000-0000-0000-0000-000000000002", stream_id="t-1",
                      version=1, type="test.never_registered", schema_version=1,
                      occurred_at=NOW, payload={})
    with pytest.raises(UnknownEventType, match=r"test\.never_registered"):
        to_event(stored)


def test_registering_a_second_class_under_one_type_is_refused() -> None:
    with pytest.raises(ValueError, match="registered twice"):

        @register
        class Impostor(Event):
            type: ClassVar[str] = "test.thing_renamed"


def test_events_are_frozen() -> None:
    event = ThingRenamed(name="x")
    with pytest.raises(ValidationError):
        event.name = "y"  # type: ignore[misc]


def test_a_naive_occurred_at_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        new_envelope("t-1", 1, ThingRenamed(name="x"), datetime(2026, 11, 29, 8, 0))


def test_work_order_events_route_to_their_department() -> None:
    dispatched = ev.WorkOrderDispatched(
        department="engineering", category="repair.common_area", dispatched_at=NOW,
        due_at=NOW, due_basis="commitment", commitment_minutes="1440")
    envelope = new_envelope("complaint-1", 2, dispatched, NOW)
    assert envelope.routing_key() == "workorder.dispatched.engineering"
    assert dispatched.routing_key() == "workorder.dispatched.engineering"
    registered = new_envelope("complaint-1", 1, ev.ComplaintEscalated(reason="r"), NOW)
    assert registered.routing_key() == "complaint.escalated"
