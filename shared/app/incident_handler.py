"""The one way a service changes an incident (P-9/P-16) and its linked complaints.

The incident's own events go to ``incident-<uuid>`` (load, decide, append,
retry on a race); each linked complaint changes through the
:class:`ComplaintHandler`, so every complaint-side rule is checked there.

Order of writes, so a retry after a crash finishes the job and does nothing
twice: linking records the incident first, then each complaint (linking a
complaint again to the same incident is a no-op); completing completes each
order first (an order the same incident completed is not completed again),
then records the incident's completion, after which a second complete is 409.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.app.clock import Clock
from shared.app.command_handler import ComplaintHandler
from shared.app.stream_writer import decide_and_append
from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import RuleViolation
from shared.domain.incidents import (
    CompleteIncident,
    Incident,
    IncidentCommand,
    LinkComplaints,
    OpenIncident,
    UnknownIncident,
    decide,
    fold,
    link_to_incident,
    why_skipped,
)
from shared.events import Metadata, to_event
from shared.eventstore.records import AppendOnlyStore


class UnknownLinkedComplaint(Exception):
    """A complaint id to link names no complaint (HTTP 422 naming complaint_ids)."""

    def __init__(self, complaint_id: str) -> None:
        super().__init__(f"no complaint {complaint_id}")
        self.complaint_id = complaint_id


@dataclass(frozen=True)
class Completion:
    incident: Incident
    completed: tuple[str, ...]
    skipped: tuple[ev.SkippedOrder, ...]


class IncidentHandler:
    def __init__(self, store: AppendOnlyStore, complaints: ComplaintHandler, clock: Clock
                 ) -> None:
        self.store = store
        self.complaints = complaints
        self.clock = clock

    def load(self, incident_id: str) -> Incident:
        stream = ev.incident_stream_id_of(incident_id)
        return fold(to_event(e) for e in self.store.read_stream(stream))

    def _execute(self, incident_id: str, command: IncidentCommand, metadata: Metadata
                 ) -> Incident:
        state, _ = decide_and_append(
            self.store, ev.incident_stream_id_of(incident_id),
            load=lambda: self.load(incident_id),
            decide=lambda state, now: decide(command, state, now),
            fold=fold, clock=self.clock, metadata=metadata)
        return state

    def _check_linkable(self, incident_id: str, complaint_ids: tuple[str, ...]) -> None:
        """Every complaint exists and may join the incident, before anything is written."""
        for complaint_id in complaint_ids:
            state, _ = self.complaints.load(complaint_id)
            if state.status == "new":
                raise UnknownLinkedComplaint(complaint_id)
            link_to_incident(c.LinkToIncident(incident_id, ""), state,
                             self.complaints.policy, self.clock.now())

    def _link_each(self, incident: Incident, complaint_ids: tuple[str, ...],
                   metadata: Metadata) -> None:
        assert incident.opened is not None
        command = c.LinkToIncident(incident.incident_id, incident.opened.title)
        for complaint_id in complaint_ids:
            self.complaints.execute(complaint_id, command, metadata)

    def open(self, command: OpenIncident, metadata: Metadata) -> Incident:
        self._check_linkable(command.incident_id, command.complaint_ids)
        incident = self._execute(command.incident_id, command, metadata)
        self._link_each(incident, command.complaint_ids, metadata)
        return incident

    def link(self, incident_id: str, complaint_ids: tuple[str, ...], metadata: Metadata
             ) -> Incident:
        """Link more complaints to an open incident."""
        if self.load(incident_id).status == "new":
            raise UnknownIncident("no such incident")
        self._check_linkable(incident_id, complaint_ids)
        incident = self._execute(incident_id, LinkComplaints(complaint_ids), metadata)
        self._link_each(incident, complaint_ids, metadata)
        return incident

    def complete(self, incident_id: str, note: str | None, metadata: Metadata) -> Completion:
        incident = self.load(incident_id)
        if incident.status == "new":
            raise UnknownIncident("no such incident")
        # Refuses a completed incident before touching any order (409, P-9).
        decide(CompleteIncident((), (), self.clock.now(), note), incident, self.clock.now())
        assert incident.opened is not None
        completed_at = self.clock.now()
        completed: list[str] = []
        skipped: list[ev.SkippedOrder] = []
        for complaint_id in incident.complaint_ids:
            state, _ = self.complaints.load(complaint_id)
            if state.completed_by_incident == incident_id:
                completed.append(complaint_id)  # an earlier attempt completed it
                continue
            reason = why_skipped(state, incident.opened.department)
            if reason is not None:
                skipped.append(ev.SkippedOrder(complaint_id=complaint_id, status=state.status,
                                               reason=reason))
                continue
            try:
                self.complaints.execute(complaint_id, c.CompleteForIncident(
                    incident_id, incident.opened.title, incident.opened.department,
                    completed_at, note), metadata)
            except RuleViolation as changed:  # the order moved on meanwhile
                now_state, _ = self.complaints.load(complaint_id)
                skipped.append(ev.SkippedOrder(complaint_id=complaint_id,
                                               status=now_state.status,
                                               reason=str(changed).removeprefix("P-9: ")))
                continue
            completed.append(complaint_id)
        final = self._execute(incident_id, CompleteIncident(
            tuple(completed), tuple(skipped), completed_at, note), metadata)
        return Completion(final, tuple(completed), tuple(skipped))
