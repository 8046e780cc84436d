"""The one way a service changes a complaint: load, decide, append; retry on a race.

Services stay thin: they turn HTTP or a message into a command and call
:meth:`ComplaintHandler.execute`. The events and their outbox rows (and any
``also`` rows, such as a consumer's processed-message record or an
idempotency key's first answer) commit in one transaction.

The handler needs only :class:`AppendOnlyStore` (read a stream, append), so
the in-memory store serves its unit tests as the SQL store serves services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from shared.app.clock import Clock
from shared.domain.commands import Command
from shared.domain.decider import decide
from shared.domain.events import stream_id_of
from shared.domain.state import Complaint, fold
from shared.events import Envelope, Metadata, new_envelope, to_event
from shared.eventstore.records import AppendOnlyStore, ConcurrencyError, Record
from shared.policy import Policy

MAX_ATTEMPTS = 8

# The rows to record with the events, given the new state and the events to append.
AlsoRows = Callable[[Complaint, list[Envelope]], Iterable[Record]]
# Raises when the caller may not act on the complaint as loaded (403, 404, ...).
Check = Callable[[Complaint], None]


@dataclass(frozen=True)
class Outcome:
    state: Complaint
    recorded: list[Envelope]


class ComplaintHandler:
    def __init__(self, store: AppendOnlyStore, policy: Policy, clock: Clock) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock

    def load(self, complaint_id: str) -> tuple[Complaint, list[Envelope]]:
        history = self.store.read_stream(stream_id_of(complaint_id))
        return fold(to_event(e) for e in history), history

    def execute(
        self,
        complaint_id: str,
        command: Command,
        metadata: Metadata,
        also: AlsoRows | None = None,
        check: Check | None = None,
    ) -> Outcome:
        stream_id = stream_id_of(complaint_id)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            state, _ = self.load(complaint_id)
            if check is not None:
                check(state)
            now = self.clock.now()
            decided = decide(command, state, self.policy, now)
            envelopes = [
                new_envelope(stream_id, state.version + i, event, now, metadata)
                for i, event in enumerate(decided, start=1)
            ]
            new_state = fold(decided, state)
            extra = list(also(new_state, envelopes)) if also else []
            if not envelopes and not extra:
                return Outcome(new_state, [])
            try:
                recorded = self.store.append(stream_id, envelopes, state.version, also=extra)
            except ConcurrencyError:
                if attempt == MAX_ATTEMPTS:
                    raise
                continue
            return Outcome(new_state, recorded)
        raise AssertionError("unreachable")
