"""What keeps an order on track beyond its routine steps.

Warnings, chases and auto-close (P-9 B), reassign and reopen (P-6, P-9),
referral to an outside body (P-13), the link to a mass incident (P-9/P-16)
and corrections of the record (P-5, P-9). All in the complaint's stream.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.events import Event, register

# ---------------------------------------------------------------- P-9 B warnings and chases


@register
class WorkOrderWarned(Event):
    """P-9 B: the order has used ``alerts.warn_at_share`` of its time; once per order."""

    type: ClassVar[str] = "workorder.warned"
    department: str
    due_at: AwareDatetime
    warn_at_share: float
    warned_at: AwareDatetime


@register
class WorkOrderChased(Event):
    """P-9 B: an overdue order chased (催办). ``number`` n is due at due_at + (n-1) × interval.

    After downtime only the latest due number is chased, so numbers may jump
    (``shared/domain/chasing.py``); the board's ``chase_count`` counts the chases made.
    """

    type: ClassVar[str] = "workorder.chased"
    department: str
    number: int
    due_at: AwareDatetime
    scheduled_at: AwareDatetime
    chased_at: AwareDatetime


@register
class WorkOrderAutoClosed(Event):
    """A completed order never signed off closes itself after ``alerts.auto_close_after_days``.

    Not rated: the satisfaction averages leave it out (it has no quality or attitude).
    """

    type: ClassVar[str] = "workorder.auto_closed"
    department: str
    completed_at: AwareDatetime
    after_days: int
    closed_at: AwareDatetime


# --- reassign and reopen (P-6, P-9, P-16) ---


@register
class WorkOrderReassigned(Event):
    """P-6: wrong routing corrected; the order moves to another department.

    The due time stays as first dispatched (P-14); the statistics count the
    order under the department that holds it at the end. Routing key
    ``workorder.reassigned.<department>.<from_department>``: the new
    department's queue binds ``workorder.reassigned.<d>.*``, the old one's
    ``workorder.reassigned.*.<d>``, so one message reaches both.
    """

    type: ClassVar[str] = "workorder.reassigned"
    department: str
    from_department: str
    reason: str


@register
class WorkOrderReopened(Event):
    """P-9, P-15: the customer will not sign off; the order goes back to its team.

    Timeliness is judged on the final completion (procedure.md, "Timely").
    """

    type: ClassVar[str] = "workorder.reopened"
    department: str
    team: str | None
    reason: str


# --- P-13 referral to an outside body ---


@register
class ComplaintReferred(Event):
    """P-13: another organisation is involved; the complainant was told why.

    The commitment clock stops from ``referred_at`` until the referral is resolved.
    """

    type: ClassVar[str] = "complaint.referred"
    organisation: str
    contact: str
    explanation: str
    referred_at: AwareDatetime


@register
class ReferralNoted(Event):
    """P-13: a liaison note (contact with the other organisation)."""

    type: ClassVar[str] = "complaint.referral_noted"
    note: str
    noted_at: AwareDatetime


@register
class ReferralResolved(Event):
    """P-13: the outcome reported back; the clock runs again, ``due_at`` moved out.

    ``due_at`` is the new due time: the one before (``previous_due_at``) plus
    the time the clock stood still (``stopped_seconds``, ``stopped_minutes``).
    """

    type: ClassVar[str] = "complaint.referral_resolved"
    outcome: str
    referred_at: AwareDatetime
    resolved_at: AwareDatetime
    stopped_seconds: float
    stopped_minutes: str
    previous_due_at: AwareDatetime
    due_at: AwareDatetime


# --- P-9/P-16 incidents: the link recorded in the complaint's own stream too, so its
# history shows it (the incident's own events: shared/domain/other_streams.py)


@register
class ComplaintLinkedToIncident(Event):
    """P-9/P-16: this complaint is one of many with one cause (a burst main, a power cut)."""

    type: ClassVar[str] = "complaint.linked_to_incident"
    incident_id: str
    title: str


# --- corrections: the desk amends the registration (P-5 记清楚), the customer reschedules
# the booked time (P-9), a missed appointment is recorded against the department (P-9)


class FieldChange(BaseModel):
    """One field of the registration form as it was and as it is now."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: Literal["unit", "phone", "category", "description"]
    old: str | None
    new: str


@register
class ComplaintAmended(Event):
    """P-5 (记清楚): the desk corrected the registration form, saying why; the history
    keeps the old and the new value of every changed field."""

    type: ClassVar[str] = "complaint.amended"
    changes: tuple[FieldChange, ...]
    reason: str


@register
class WorkOrderRescheduled(Event):
    """P-9: the customer booked another time; the due time moves to its end, at the
    customer's request (routing key ``workorder.rescheduled.<department>``)."""

    type: ClassVar[str] = "workorder.rescheduled"
    department: str
    appointment_start: AwareDatetime
    appointment_end: AwareDatetime
    old_due_at: AwareDatetime
    due_at: AwareDatetime
    requested_by: Literal["customer"] = "customer"
    reason: str | None = None


@register
class AppointmentMissed(Event):
    """P-9: the department holding the order missed the customer's booked time."""

    type: ClassVar[str] = "workorder.appointment_missed"
    department: str
    appointment_start: AwareDatetime | None = None
    appointment_end: AwareDatetime | None = None
    note: str | None = None
