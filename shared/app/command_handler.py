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
from datetime import datetime

from shared.app.clock import Clock
from shared.app.stream_writer import decide_and_append
from shared.domain.commands import Command
from shared.domain.decider import decide
from shared.domain.events import stream_id_of
from shared.domain.state import Complaint, fold
from shared.events import Envelope, Event, Metadata, to_event
from shared.eventstore.records import AppendOnlyStore, Record
from shared.policy import Policy

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
        def decided(state: Complaint, now: datetime) -> list[Event]:
            if check is not None:
                check(state)
            return decide(command, state, self.policy, now)

        state, recorded = decide_and_append(
            self.store, stream_id_of(complaint_id),
            load=lambda: self.load(complaint_id)[0], decide=decided, fold=fold,
            clock=self.clock, metadata=metadata, also=also)
        return Outcome(state, recorded)
