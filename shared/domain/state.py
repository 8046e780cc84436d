"""A complaint's state, folded from its events: ``evolve(state, event) -> state``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from shared import vocabulary
from shared.domain import events as ev
from shared.events import Event

# The contract's statuses, and "new": nothing registered yet (the stream is empty).
Status = Literal["new"] | vocabulary.Status

# Statuses in which the complaint is finished for good.
TERMINAL: frozenset[str] = frozenset({"closed", "declined", "withdrawn"})
# P-9: the department works the order from dispatch to completion.
ON_THE_BOARD: frozenset[str] = frozenset({"dispatched", "accepted", "assigned", "completed"})


@dataclass(frozen=True)
class Complaint:
    complaint_id: str = ""
    status: Status = "new"
    version: int = 0
    registration: ev.ComplaintRegistered | None = None
    category: str | None = None
    department: str | None = None
    paid_mode: str | None = None
    paid: bool | None = None
    quote: ev.QuoteIssued | None = None
    quote_accepted_total: str | None = None
    dispatched_at: datetime | None = None
    due_at: datetime | None = None
    commitment_minutes: str | None = None
    team: str | None = None
    completed_at: datetime | None = None
    mail_check_needed: bool = False
    mail_checked: bool = False
    escalated: bool = False
    quality: int | None = None
    attitude: int | None = None
    # --- P-12 serious complaints
    severity_raised_by: str | None = None
    inspections: tuple[ev.ComplaintInspected, ...] = ()
    # --- P-13 referral: the clock stops while an outside body holds the complaint ---
    referral: ev.ComplaintReferred | None = None  # the open referral, if any
    first_referred_at: datetime | None = None  # ever referred (the monthly ``referred``)
    referral_notes: tuple[str, ...] = ()
    # --- P-9 B warnings and chases, auto-close
    warned: bool = False
    chase_count: int = 0
    last_chase_number: int = 0
    last_customer_contact: datetime | None = None
    auto_closed: bool = False
    # --- P-9/P-16 incidents
    incident_id: str | None = None
    completed_by_incident: str | None = None

    # --- corrections: the departments that missed a booked time, one entry per miss (P-9)
    missed_appointments: tuple[str, ...] = ()

    @property
    def clock_stopped_since(self) -> datetime | None:
        """P-13: since when the commitment clock stands still (an open referral), else None."""
        return self.referral.referred_at if self.referral is not None else None

    @property
    def severity(self) -> str:
        if self.severity_raised_by is not None:
            return "serious"  # P-12: a serious word in the description, whatever was registered
        return self.registration.severity if self.registration else "normal"


def evolve(state: Complaint, event: Event) -> Complaint:
    """Apply one event; unknown event types leave the state as it was (but count)."""
    state = replace(state, version=state.version + 1)
    match event:
        case ev.ComplaintRegistered():
            return replace(state, complaint_id=event.complaint_id, status="registered",
                           registration=event, category=event.category)
        case ev.ComplaintRouted():
            status: Status = {"ask": "awaiting_decision", "paid": "awaiting_quote"}.get(
                event.paid_mode, state.status)  # type: ignore[assignment]
            paid = {"free": False, "paid": True}.get(event.paid_mode)
            return replace(state, category=event.category, department=event.department,
                           paid_mode=event.paid_mode, paid=paid, status=status,
                           severity_raised_by=event.severity_raised_by)
        case ev.PaidDecided():
            return replace(state, paid=event.paid,
                           status="awaiting_quote" if event.paid else state.status)
        case ev.QuoteIssued():
            return replace(state, quote=event)
        case ev.QuoteAccepted():
            return replace(state, quote_accepted_total=event.total)
        case ev.QuoteDeclined():
            return replace(state, status="declined")
        case ev.WorkOrderDispatched():
            return replace(state, status="dispatched", department=event.department,
                           category=event.category, dispatched_at=event.dispatched_at,
                           due_at=event.due_at, commitment_minutes=event.commitment_minutes,
                           mail_check_needed=event.mail_check)
        case ev.ComplaintEscalated():
            return replace(state, escalated=True)
        case ev.WorkOrderAccepted():
            return replace(state, status="accepted")
        case ev.TeamAssigned():
            return replace(state, status="assigned", team=event.team)
        case ev.WorkOrderCompleted():
            return replace(state, status="completed", completed_at=event.completed_at,
                           completed_by_incident=event.incident_id)
        case ev.MailLogChecked():
            return replace(state, mail_checked=True)
        case ev.WorkOrderSignedOff():
            return replace(state, status="closed", quality=event.quality, attitude=event.attitude)
        case ev.ComplaintWithdrawn():
            return replace(state, status="withdrawn")
        # --- P-12 serious complaints
        case ev.ComplaintInspected():
            return replace(state, inspections=(*state.inspections, event))
        # --- reassign and reopen (P-6, P-9, P-16) ---
        case ev.WorkOrderReassigned():
            # The new department accepts and assigns afresh; the due time stays (P-14).
            return replace(state, status="dispatched", department=event.department, team=None)
        case ev.WorkOrderReopened():
            # Back to the same team; the final completion is the one that counts.
            return replace(state, status="assigned", completed_at=None)
        # --- P-13 referral ---
        case ev.ComplaintReferred():
            return replace(state, referral=event, referral_notes=(),
                           first_referred_at=state.first_referred_at or event.referred_at)
        case ev.ReferralNoted():
            return replace(state, referral_notes=(*state.referral_notes, event.note))
        case ev.ReferralResolved():
            return replace(state, referral=None, due_at=event.due_at)
        # --- P-9 B warnings and chases, auto-close
        case ev.FollowUpRecorded():
            return replace(state, last_customer_contact=event.followed_up_at
                           or state.last_customer_contact)
        case ev.WorkOrderWarned():
            return replace(state, warned=True)
        case ev.WorkOrderChased():
            return replace(state, chase_count=state.chase_count + 1,
                           last_chase_number=max(state.last_chase_number, event.number))
        case ev.WorkOrderAutoClosed():
            return replace(state, status="closed", auto_closed=True)
        # --- P-9/P-16 incidents
        case ev.ComplaintLinkedToIncident():
            return replace(state, incident_id=event.incident_id)
        # --- corrections (P-5, P-9): the form shows the current values, the history both
        case ev.ComplaintAmended():
            return _amended(state, event)
        case ev.WorkOrderRescheduled():
            assert state.registration is not None
            booked = state.registration.model_copy(update={
                "appointment_start": event.appointment_start,
                "appointment_end": event.appointment_end})
            return replace(state, registration=booked, due_at=event.due_at)
        case ev.AppointmentMissed():
            return replace(state, missed_appointments=(*state.missed_appointments,
                                                       event.department))
    return state


def _amended(state: Complaint, event: ev.ComplaintAmended) -> Complaint:
    """The registration with the corrected fields; a corrected category is the complaint's
    category from now on (the department and due time stay: reassign moves an order)."""
    assert state.registration is not None
    update: dict[str, str] = {change.field: change.new for change in event.changes}
    return replace(state, registration=state.registration.model_copy(update=update),
                   category=update.get("category", state.category))


def fold(history: Iterable[Event], state: Complaint | None = None) -> Complaint:
    state = state or Complaint()
    for event in history:
        state = evolve(state, event)
    return state

