"""Events: frozen pydantic payloads, one registry, the stored envelope, upcasters.

A domain event is a frozen pydantic model named in the past tense with a
class-level ``type`` (``"workorder.dispatched"``) and ``schema_version``.
The store keeps it inside an :class:`Envelope`; readers turn an envelope back
into its event with :func:`to_event`, which first passes the stored payload
through every upcaster from its stored ``schema_version`` to the current one.
Nothing is ever pickled: payloads are JSON.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Event(BaseModel):
    """Base class of every domain event (the payload inside an envelope)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: ClassVar[str]
    schema_version: ClassVar[int] = 1

    def routing_key(self) -> str:
        return routing_key_for(self.type, getattr(self, "department", None),
                               getattr(self, "from_department", None))


def routing_key_for(event_type: str, department: str | None,
                    from_department: str | None = None) -> str:
    """``<aggregate>.<event>``, plus ``.<department>`` on work-order events and on the
    complaint events a department's head must hear of (:data:`DEPARTMENT_COMPLAINT_EVENTS`).

    A work-order event that moves the order (``workorder.reassigned``) adds the
    department it leaves: ``workorder.reassigned.<department>.<from_department>``,
    so the queues of both can bind it (shared/messaging/topology.py).
    """
    if department and routes_by_department(event_type):
        if from_department:
            return f"{event_type}.{department}.{from_department}"
        return f"{event_type}.{department}"
    return event_type


# --- P-12 serious complaints: escalations and inspections reach the department concerned too
DEPARTMENT_COMPLAINT_EVENTS: frozenset[str] = frozenset({"complaint.escalated",
                                                         "complaint.inspected"})


def routes_by_department(event_type: str) -> bool:
    """Whether an event of this type is published with its department in the routing key."""
    return event_type.startswith("workorder.") or event_type in DEPARTMENT_COMPLAINT_EVENTS


class UnknownEventType(LookupError):
    """A stored event names a type no module registered."""


_REGISTRY: dict[str, type[Event]] = {}
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
E = TypeVar("E", bound=type[Event])
_UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def register(cls: E) -> E:
    """Class decorator: make an event type readable from the store."""
    existing = _REGISTRY.get(cls.type)
    if existing is not None and existing is not cls:
        raise ValueError(f"event type {cls.type!r} registered twice")
    _REGISTRY[cls.type] = cls
    return cls


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function that turns a payload of ``from_version`` into the next version."""

    def decorate(fn: Upcaster) -> Upcaster:
        _UPCASTERS[(event_type, from_version)] = fn
        return fn

    return decorate


def event_class(event_type: str) -> type[Event]:
    try:
        return _REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def registered_types() -> list[str]:
    return sorted(_REGISTRY)


class Metadata(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    correlation_id: str | None = None
    causation_id: str | None = None
    actor: str | None = None


class Envelope(BaseModel):
    """An event as stored and as published: the contract's envelope fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID
    stream_id: str
    version: int
    type: str
    schema_version: int
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime | None = None
    payload: dict[str, Any]
    metadata: Metadata = Field(default_factory=Metadata)
    position: int | None = None

    def routing_key(self) -> str:
        return routing_key_for(self.type, self.payload.get("department"),
                               self.payload.get("from_department"))


def upcast(event_type: str, schema_version: int, payload: dict[str, Any]) -> dict[str, Any]:
    target = event_class(event_type).schema_version
    while schema_version < target:
        step = _UPCASTERS.get((event_type, schema_version))
        if step is None:
            raise UnknownEventType(
                f"{event_type} v{schema_version}: no upcaster to v{schema_version + 1}"
            )
        payload = step(payload)
        schema_version += 1
    return payload


def to_event(envelope: Envelope) -> Event:
    """The domain event inside a stored envelope, upcast to the current schema."""
    cls = event_class(envelope.type)
    payload = upcast(envelope.type, envelope.schema_version, dict(envelope.payload))
    return cls.model_validate(payload)


def new_envelope(
    stream_id: str,
    version: int,
    event: Event,
    occurred_at: datetime,
    metadata: Metadata | None = None,
) -> Envelope:
    """Wrap a freshly decided event for appending (``recorded_at`` is set by the store)."""
    if occurred_at.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    return Envelope(
        event_id=uuid.uuid4(),
        stream_id=stream_id,
        version=version,
        type=event.type,
        schema_version=event.schema_version,
        occurred_at=occurred_at.astimezone(UTC),
        payload=event.model_dump(mode="json"),
        metadata=metadata or Metadata(),
    )
