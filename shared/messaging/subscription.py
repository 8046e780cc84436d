"""What a service does with each event type its queue brings, and the check before its handler.

Every consumer declares a :class:`Subscription`: the types it acts on and the
types it deliberately leaves (acked, logged at debug). :func:`screen` runs on
every envelope before the handler and refuses, at once and with a reason,
what no retry could ever make readable:

- a type no module registered (``unknown event type 'foo.bar'``);
- a registered type this service declared neither handled nor ignored (a
  message on the wrong queue, or a new event nobody thought about here);
- a ``schema_version`` this code cannot read (newer than its event class, or
  older with no upcaster path).

The consumer parks a refused message on ``complaints.dead`` with that reason
in its ``x-error`` header, so nothing vanishes without a trace.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.events import Envelope, UnknownEventType, event_class, registered_types, upcast


class UnsupportedSchemaVersion(ValueError):
    """An envelope's ``schema_version`` is one this code cannot read."""


class UndeclaredEventType(LookupError):
    """A registered type this consumer declared neither handled nor ignored."""


@dataclass(frozen=True)
class Subscription:
    """The event types one consumer acts on (``handled``) and deliberately leaves (``ignored``)."""

    handled: frozenset[str]
    ignored: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        both = self.handled & self.ignored
        if both:
            raise ValueError(f"subscription: {sorted(both)} both handled and ignored")

    @classmethod
    def of(cls, handled: Iterable[str], ignored: Iterable[str] = ()) -> Subscription:
        return cls(frozenset(handled), frozenset(ignored))

    def unregistered(self) -> list[str]:
        """Declared types no module registered (a typo, or the module not imported)."""
        return sorted((self.handled | self.ignored) - set(registered_types()))


def screen(envelope: Envelope, subscription: Subscription, queue: str) -> bool:
    """True: hand ``envelope`` to the handler; False: deliberately ignored (ack it).

    Raises :class:`UnknownEventType`, :class:`UndeclaredEventType` or
    :class:`UnsupportedSchemaVersion` for a message to park at once. An
    ignored type is not read, so its schema version does not matter here.
    """
    try:
        cls = event_class(envelope.type)
    except UnknownEventType:
        raise UnknownEventType(f"unknown event type {envelope.type!r}") from None
    if envelope.type in subscription.ignored:
        return False
    if envelope.type not in subscription.handled:
        raise UndeclaredEventType(
            f"event type {envelope.type!r} is neither handled nor ignored on queue {queue!r}")
    version, current = envelope.schema_version, cls.schema_version
    if not 1 <= version <= current:
        raise UnsupportedSchemaVersion(
            f"unsupported schema_version {version} for {envelope.type!r} "
            f"(this service reads up to {current})")
    if version < current:
        try:
            upcast(envelope.type, version, dict(envelope.payload))
        except UnknownEventType as exc:
            raise UnsupportedSchemaVersion(
                f"unsupported schema_version {version} for {envelope.type!r}: {exc}") from None
    return True
