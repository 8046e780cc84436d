"""The one way a service changes a corrective action (P-17): load, decide, append.

The counterpart of ``command_handler`` for the ``action-<uuid>`` streams;
the events and their outbox rows commit in one transaction, a race reloads
and decides again.
"""

from __future__ import annotations

from shared.app.clock import Clock
from shared.domain.corrective_actions import ActionCommand, CorrectiveAction, decide, fold
from shared.domain.events import action_stream_id_of
from shared.events import Metadata, new_envelope, to_event
from shared.eventstore.records import AppendOnlyStore, ConcurrencyError
from shared.policy import Policy

MAX_ATTEMPTS = 8


class CorrectiveActionHandler:
    def __init__(self, store: AppendOnlyStore, policy: Policy, clock: Clock) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock

    def load(self, action_id: str) -> CorrectiveAction:
        return fold(to_event(e) for e in self.store.read_stream(action_stream_id_of(action_id)))

    def execute(self, action_id: str, command: ActionCommand, metadata: Metadata
                ) -> CorrectiveAction:
        stream_id = action_stream_id_of(action_id)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            state = self.load(action_id)
            now = self.clock.now()
            decided = decide(command, state, self.policy.tz, now)
            envelopes = [new_envelope(stream_id, state.version + i, event, now, metadata)
                         for i, event in enumerate(decided, start=1)]
            try:
                self.store.append(stream_id, envelopes, state.version)
            except ConcurrencyError:
                if attempt == MAX_ATTEMPTS:
                    raise
                continue
            return fold(decided, state)
        raise AssertionError("unreachable")
