"""Load, decide, append; on a race, load and decide again: the one retry loop.

Every handler that changes a stream (a complaint, a corrective action, an
incident) goes through :func:`decide_and_append`. Optimistic concurrency does
the locking: the append names the version it decided on, a concurrent writer
makes it fail with :class:`ConcurrencyError`, and the loser decides again on
the new state, so a rule is always checked against what is really stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from shared.app.clock import Clock
from shared.events import Envelope, Event, Metadata, new_envelope
from shared.eventstore.records import AppendOnlyStore, ConcurrencyError, Record

MAX_ATTEMPTS = 8


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


S = TypeVar("S", bound=Versioned)


def decide_and_append(
    store: AppendOnlyStore,
    stream_id: str,
    *,
    load: Callable[[], S],
    decide: Callable[[S, datetime], list[Event]],
    fold: Callable[[list[Event], S], S],
    clock: Clock,
    metadata: Metadata,
    also: Callable[[S, list[Envelope]], Iterable[Record]] | None = None,
    attempts: int = MAX_ATTEMPTS,
) -> tuple[S, list[Envelope]]:
    """The new state and the envelopes recorded (none when nothing was decided).

    ``also`` gives rows to commit with the events (a processed message, an
    idempotency key's answer), from the new state and the events to append.
    """
    for attempt in range(1, attempts + 1):
        state = load()
        now = clock.now()
        decided = decide(state, now)
        envelopes = [new_envelope(stream_id, state.version + i, event, now, metadata)
                     for i, event in enumerate(decided, start=1)]
        new_state = fold(decided, state)
        extra = list(also(new_state, envelopes)) if also else []
        if not envelopes and not extra:
            return new_state, []
        try:
            recorded = store.append(stream_id, envelopes, state.version, also=extra)
        except ConcurrencyError:
            if attempt == attempts:
                raise
            continue
        return new_state, recorded
    raise AssertionError("unreachable")
