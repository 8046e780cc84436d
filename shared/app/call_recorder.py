"""The one way a service records a call (P-4): load, decide, append.

A call is its own stream (``call-<uuid>``). When the call names the complaint
it raised, the complaint is loaded and folded, and the domain decides whether
it exists. The events and any ``also`` rows (an idempotency key's first
answer) commit in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from shared.app.clock import Clock
from shared.app.command_handler import ComplaintHandler
from shared.domain.calls import fold_call, record_call
from shared.domain.commands import RecordCall
from shared.domain.events import call_stream_id_of
from shared.events import Envelope, Metadata, new_envelope, to_event
from shared.eventstore.records import AppendOnlyStore, Record

# The rows to record with the call, given its recorded envelope.
AlsoRows = Callable[[Envelope], Iterable[Record]]


class CallRecorder:
    def __init__(self, store: AppendOnlyStore, complaints: ComplaintHandler, clock: Clock
                 ) -> None:
        self.store = store
        self.complaints = complaints
        self.clock = clock

    def record(self, command: RecordCall, metadata: Metadata,
               also: AlsoRows | None = None) -> Envelope:
        """Record the call; raises the domain's error when the record cannot be made."""
        stream_id = call_stream_id_of(command.call_id)
        call = fold_call(to_event(e) for e in self.store.read_stream(stream_id))
        raised = (self.complaints.load(command.complaint_id)[0]
                  if command.complaint_id is not None else None)
        now = self.clock.now()
        [event] = record_call(command, call, raised, now)
        envelope = new_envelope(stream_id, call.version + 1, event, now, metadata)
        extra = list(also(envelope)) if also else []
        [recorded] = self.store.append(stream_id, [envelope], call.version, also=extra)
        return recorded
