"""P-9/P-16: many complaints, one cause (a burst main, a power cut): the mass incident.

The desk opens an incident and links the complaints it caused; when the holding
department finishes the work, completing the incident completes every linked
order that is being worked (dispatched, accepted or assigned), each by a normal
``workorder.completed`` on its own stream at the incident's completion time.
Each order is still judged against its own due time (P-16): the incident moves
no clock. Orders not yet dispatched, already completed, closed, declined or
withdrawn, or held by another department, are skipped and listed.

The incident has its own stream (``incident-<uuid>``), state and small decider;
the two complaint-side rules (:func:`link_to_incident`,
:func:`complete_for_incident`) go through the complaint decider. Pure, time
passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from shared.domain import events as ev
from shared.domain.commands import CompleteForIncident, LinkToIncident
from shared.domain.errors import DomainError, InvalidCommand, RuleViolation
from shared.domain.state import TERMINAL, Complaint
from shared.events import Event
from shared.policy import Policy

IncidentStatus = Literal["new", "open", "completed"]
# The order is being worked: the incident's completion completes it.
COMPLETABLE = frozenset({"dispatched", "accepted", "assigned"})


class UnknownIncident(DomainError):
    """No incident with this id (HTTP 404)."""


# ------------------------------------------------------------------ commands


@dataclass(frozen=True)
class OpenIncident:
    incident_id: str
    title: str
    community: str
    department: str
    complaint_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinkComplaints:
    complaint_ids: tuple[str, ...]


@dataclass(frozen=True)
class CompleteIncident:
    """Record the completion; ``completed`` and ``skipped`` say what happened to each order."""

    completed: tuple[str, ...]
    skipped: tuple[ev.SkippedOrder, ...]
    completed_at: datetime
    note: str | None = None


IncidentCommand = OpenIncident | LinkComplaints | CompleteIncident


# ------------------------------------------------------------------ state


@dataclass(frozen=True)
class Incident:
    incident_id: str = ""
    status: IncidentStatus = "new"
    version: int = 0
    opened: ev.IncidentOpened | None = None
    complaint_ids: tuple[str, ...] = ()
    completed: ev.IncidentCompleted | None = None


def evolve(state: Incident, event: Event) -> Incident:
    state = replace(state, version=state.version + 1)
    match event:
        case ev.IncidentOpened():
            return replace(state, incident_id=event.incident_id, status="open", opened=event)
        case ev.IncidentComplaintsLinked():
            return replace(state, complaint_ids=(*state.complaint_ids, *event.complaint_ids))
        case ev.IncidentCompleted():
            return replace(state, status="completed", completed=event)
    return state


def fold(history: Iterable[Event], state: Incident | None = None) -> Incident:
    state = state or Incident()
    for event in history:
        state = evolve(state, event)
    return state


# ------------------------------------------------------------------ decide (the incident)


def decide(command: IncidentCommand, state: Incident, now: datetime) -> list[Event]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    match command:
        case OpenIncident():
            return _open(command, state, now)
        case LinkComplaints():
            return _link(command, state)
        case CompleteIncident():
            return _complete(command, state)
    raise TypeError(f"not an incident command: {command!r}")


def _open(command: OpenIncident, state: Incident, now: datetime) -> list[Event]:
    if state.status != "new":
        raise RuleViolation("P-9", f"incident {state.incident_id} was already opened")
    for field in ("title", "community"):
        if not getattr(command, field).strip():
            raise InvalidCommand(field, "P-9: an incident needs a " + field)
    opened = ev.IncidentOpened(incident_id=command.incident_id, title=command.title.strip(),
                               community=command.community.strip(),
                               department=command.department, opened_at=now)
    linked = _link(LinkComplaints(command.complaint_ids), fold([opened]))
    return [opened, *linked]


def _link(command: LinkComplaints, state: Incident) -> list[Event]:
    if state.status == "new":
        raise UnknownIncident("no such incident")
    if state.status == "completed":
        raise RuleViolation("P-9", "the incident is completed; link the complaint to a new one")
    new = tuple(dict.fromkeys(i for i in command.complaint_ids if i not in state.complaint_ids))
    return [ev.IncidentComplaintsLinked(complaint_ids=new)] if new else []


def _complete(command: CompleteIncident, state: Incident) -> list[Event]:
    if state.status == "new":
        raise UnknownIncident("no such incident")
    if state.status == "completed":
        assert state.completed is not None
        raise RuleViolation("P-9", f"the incident was already completed at "
                            f"{state.completed.completed_at.isoformat()}")
    return [ev.IncidentCompleted(note=command.note, completed_at=command.completed_at,
                                 completed=command.completed, skipped=command.skipped)]


# ------------------------------------------------------------------ the linked complaints


def link_to_incident(c: LinkToIncident, state: Complaint, _p: Policy, _now: datetime
                     ) -> list[Event]:
    """A complaint belongs to one incident at most; linking it again to the same is a no-op."""
    if state.incident_id == c.incident_id:
        return []
    if state.incident_id is not None:
        raise RuleViolation("P-9", f"complaint {state.complaint_id} is already linked to "
                            f"incident {state.incident_id}")
    if state.status in TERMINAL:
        raise RuleViolation("P-9", f"cannot link a complaint that is {state.status}")
    return [ev.ComplaintLinkedToIncident(incident_id=c.incident_id, title=c.title)]


def why_skipped(state: Complaint, department: str) -> str | None:
    """Why the incident's completion leaves this order alone; None if it completes it."""
    if state.status not in COMPLETABLE:
        return f"the order is {state.status}, not dispatched, accepted or assigned"
    if state.department != department:
        return f"the order is held by {state.department}, not by {department}"
    return None


def complete_for_incident(c: CompleteForIncident, state: Complaint, _p: Policy, now: datetime
                          ) -> list[Event]:
    """Complete the order at the incident's time; done once, whatever the retries."""
    if state.completed_by_incident == c.incident_id:
        return []  # a retry of the same incident's completion: already done
    reason = why_skipped(state, c.department)
    if reason is not None:
        raise RuleViolation("P-9", reason)
    if c.completed_at > now:
        raise InvalidCommand("completed_at", "P-16: a completion cannot be in the future")
    note = f"incident {c.incident_id} ({c.title})" + (f": {c.note}" if c.note else "")
    assert state.department is not None
    return [ev.WorkOrderCompleted(department=state.department, note=note,
                                  completed_at=c.completed_at, incident_id=c.incident_id)]
