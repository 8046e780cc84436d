"""The one way a service changes a corrective action (P-17): load, decide, append.

The counterpart of ``command_handler`` for the ``action-<uuid>`` streams;
the events and their outbox rows commit in one transaction, a race reloads
and decides again.
"""

from __future__ import annotations

from shared.app.clock import Clock
from shared.app.stream_writer import decide_and_append
from shared.domain.corrective_actions import ActionCommand, CorrectiveAction, decide, fold
from shared.domain.events import action_stream_id_of
from shared.events import Metadata, to_event
from shared.eventstore.records import AppendOnlyStore
from shared.policy import Policy


class CorrectiveActionHandler:
    def __init__(self, store: AppendOnlyStore, policy: Policy, clock: Clock) -> None:
        self.store = store
        self.policy = policy
        self.clock = clock

    def load(self, action_id: str) -> CorrectiveAction:
        return fold(to_event(e) for e in self.store.read_stream(action_stream_id_of(action_id)))

    def execute(self, action_id: str, command: ActionCommand, metadata: Metadata
                ) -> CorrectiveAction:
        state, _ = decide_and_append(
            self.store, action_stream_id_of(action_id),
            load=lambda: self.load(action_id),
            decide=lambda state, now: decide(command, state, self.policy.tz, now),
            fold=fold, clock=self.clock, metadata=metadata)
        return state
