"""What every event store backend shares: its errors, the rows that join an append, its shape.

The rows a caller adds to an append (``also``: a consumer's processed-message
record, an idempotency key's first answer) are plain values, not SQL, so the
SQL store (``store``) and the in-memory store (``memory``) take the same
ones. Each row carries its own time, which the caller takes from its injected
clock: the store never decides what time it is for a row it did not stamp.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from shared.events import Envelope

# The store's clock for ``recorded_at``: services inject theirs (bootstrap);
# tools that only read or relay (the relay, the CLI, benchmarks) take the wall's.
Now = Callable[[], datetime]


def wall_clock() -> datetime:
    """The default for stores built without a clock."""
    return datetime.now(UTC)


class ConcurrencyError(Exception):
    """Another writer appended to the stream since the caller read it: reload and retry."""

    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"{stream_id}: expected version {expected}, found {actual}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class DuplicateRecord(Exception):
    """An ``also`` row already existed (a message processed twice, a key reused)."""


@dataclass(frozen=True)
class ProcessedMessage:
    """A consumer acted on an event; recorded in the transaction of its effect."""

    consumer: str
    event_id: str
    processed_at: datetime


@dataclass(frozen=True)
class IdempotentAnswer:
    """The first answer to a request that carried an ``Idempotency-Key``, per token."""

    token_id: str
    key: str
    request_hash: str
    response: dict[str, Any]
    created_at: datetime


Record = ProcessedMessage | IdempotentAnswer


class AppendOnlyStore(Protocol):
    """What the command handler needs of a store; both backends have it."""

    def read_stream(self, stream_id: str) -> list[Envelope]: ...

    def append(
        self,
        stream_id: str,
        new_events: Sequence[Envelope],
        expected_version: int,
        *,
        also: Iterable[Record] = (),
    ) -> list[Envelope]: ...


def check_numbering(stream_id: str, new_events: Sequence[Envelope], expected_version: int) -> None:
    """Each new event must name this stream and the version right after the one before."""
    for offset, envelope in enumerate(new_events, start=1):
        if envelope.stream_id != stream_id or envelope.version != expected_version + offset:
            raise ValueError(
                f"event {envelope.type} carries {envelope.stream_id}@{envelope.version}, "
                f"expected {stream_id}@{expected_version + offset}"
            )


def aware_utc(moment: datetime, field: str) -> datetime:
    """Stored times are aware UTC on every backend; a naive one is a caller's mistake."""
    if moment.tzinfo is None:
        raise ValueError(f"{field}: naive datetime, the store keeps aware UTC times")
    return moment.astimezone(UTC)
