"""What can happen to a complaint: the domain events, in the order of the procedure.

Every event of one complaint lives in the stream ``complaint-<uuid>``.
Events on the work order carry ``department`` so the broker can route them to
``dept.<department>`` (routing key ``workorder.<event>.<department>``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.events import Event, register
from shared.vocabulary import Channel, PaidMode, Severity


def stream_id_of(complaint_id: str) -> str:
    return f"complaint-{complaint_id}"


# ---------------------------------------------------------------- registering (P-3..P-5)


@register
class ComplaintRegistered(Event):
    """P-4: the registration form (客户投诉登记表), filled after "four clears" (P-5)."""

    type: ClassVar[str] = "complaint.registered"
    complaint_id: str
    channel: Channel
    community: str
    unit: str
    customer_name: str
    phone: str
    description: str
    category: str | None = None
    appointment_start: AwareDatetime | None = None
    appointment_end: AwareDatetime | None = None
    severity: Severity = "normal"
    read_back_confirmed: bool = False
    received_by: str | None = None
    registered_at: AwareDatetime


@register
class ComplaintWithdrawn(Event):
    type: ClassVar[str] = "complaint.withdrawn"
    reason: str


# ---------------------------------------------------------------- dispatching (P-6..P-11)


@register
class ComplaintRouted(Event):
    """P-6: customer service decided which department the complaint concerns."""

    type: ClassVar[str] = "complaint.routed"
    category: str
    department: str
    paid_mode: PaidMode
    routed_by: Literal["given", "keyword", "fallback"]
    keyword: str | None = None
    # --- P-6/P-12: the policy's serious word that raised a "normal" registration to serious
    # (None: severity left as registered). A default, so events stored before it still read.
    severity_raised_by: str | None = None


@register
class PaidDecided(Event):
    """P-7: for an in-unit repair the desk found out whether it is free or paid."""

    type: ClassVar[str] = "complaint.paid_decided"
    paid: bool


class QuoteLine(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    fee: str
    name_zh: str
    name_en: str
    unit_price: str
    quantity: int
    amount: str


@register
class QuoteIssued(Event):
    """P-8, P-10: paid work priced from the fee schedule and told to the customer."""

    type: ClassVar[str] = "complaint.quoted"
    lines: tuple[QuoteLine, ...]
    total: str


@register
class QuoteAccepted(Event):
    type: ClassVar[str] = "complaint.quote_accepted"
    total: str


@register
class QuoteDeclined(Event):
    type: ClassVar[str] = "complaint.quote_declined"
    reason: str | None = None


@register
class WorkOrderDispatched(Event):
    """P-6, P-9, P-14: the work order (派单), with its due time and commitment frozen in."""

    type: ClassVar[str] = "workorder.dispatched"
    department: str
    category: str
    dispatched_at: AwareDatetime
    due_at: AwareDatetime
    due_basis: Literal["appointment", "commitment"]
    commitment_minutes: str
    price_total: str | None = None
    # P-11a, frozen in like the commitment: a later policy change cannot reopen the question.
    mail_check: bool = False


@register
class ComplaintEscalated(Event):
    """P-12: a serious complaint reported at once to leadership and to the head of the
    department concerned (routing key ``complaint.escalated.<department>``)."""

    type: ClassVar[str] = "complaint.escalated"
    reason: str
    department: str | None = None


# --- P-12 serious complaints: leadership's inspection of the site and the records


@register
class ComplaintInspected(Event):
    """P-12: leadership inspected the site and the records of a serious complaint."""

    type: ClassVar[str] = "complaint.inspected"
    findings: str
    decision: str
    present: tuple[str, ...]
    inspected_at: AwareDatetime
    department: str | None = None


# ---------------------------------------------------------------- the work order (P-9, P-15)


@register
class WorkOrderAccepted(Event):
    type: ClassVar[str] = "workorder.accepted"
    department: str


@register
class TeamAssigned(Event):
    type: ClassVar[str] = "workorder.assigned"
    department: str
    team: str


@register
class WorkOrderCompleted(Event):
    type: ClassVar[str] = "workorder.completed"
    department: str
    note: str | None = None
    completed_at: AwareDatetime
    # --- P-9/P-16 incidents: the mass incident whose completion completed this order
    incident_id: str | None = None


@register
class MailLogChecked(Event):
    """P-11a: the mail staff checked the mail logs (信报收发记录)."""

    type: ClassVar[str] = "workorder.mail_checked"
    department: str
    checked: str
    finding: str


@register
class WorkOrderSignedOff(Event):
    """P-9, P-15: the customer confirmed the work and rated quality and attitude."""

    type: ClassVar[str] = "workorder.signed_off"
    department: str
    quality: int
    attitude: int
    signed_by: str
    comment: str | None = None
    signed_off_at: AwareDatetime


@register
class FollowUpRecorded(Event):
    """P-9 C: customer service kept in touch with the customer."""

    type: ClassVar[str] = "workorder.followed_up"
    department: str | None = None
    note: str
    # P-9 B/C: when customer service last reached the customer (the board shows it).
    # Absent (None) on follow-ups recorded before it existed; no upcaster needed.
    followed_up_at: AwareDatetime | None = None


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



# ------------------------------------------------------ P-17 corrective actions (限期整改)
# Not a complaint's event: each corrective action has its own stream, ``action-<uuid>``.


def action_stream_id_of(action_id: str) -> str:
    return f"action-{action_id}"


class AlertRef(BaseModel):
    """The P-17 alert a corrective action answers: what fell, where, in which month."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["timely_rate_drop", "satisfaction_below_floor"]
    scope: Literal["department", "category"]
    id: str
    month: str


@register
class CorrectiveActionOpened(Event):
    """P-17: corrective action with a deadline, recorded against a monthly report's alert."""

    type: ClassVar[str] = "corrective_action.opened"
    action_id: str
    alert: AlertRef
    action: str
    owner: str
    deadline: date
    opened_at: AwareDatetime


@register
class CorrectiveActionClosed(Event):
    type: ClassVar[str] = "corrective_action.closed"
    outcome: str
    closed_at: AwareDatetime
# ---------------------------------------------------------------- P-4 call records


def call_stream_id_of(call_id: str) -> str:
    return f"call-{call_id}"


@register
class CallRecorded(Event):
    """P-4: the call record (客户来电记录表, form 7.2): every call, even one that is no complaint.

    Its own stream, ``call-<uuid>``; ``complaint_id`` links the complaint the call raised.
    """

    type: ClassVar[str] = "call.recorded"
    call_id: str
    caller: str
    phone: str
    received_by: str
    summary: str
    complaint_id: str | None = None
    received_at: AwareDatetime


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


# ---------------------------------------------- P-9/P-16 incidents (many complaints, one cause)
# The incident has its own stream, ``incident-<uuid>``; each linked complaint records the link
# in its own stream too (``complaint.linked_to_incident``), so its history shows it.


def incident_stream_id_of(incident_id: str) -> str:
    return f"incident-{incident_id}"


@register
class ComplaintLinkedToIncident(Event):
    """P-9/P-16: this complaint is one of many with one cause (a burst main, a power cut)."""

    type: ClassVar[str] = "complaint.linked_to_incident"
    incident_id: str
    title: str


@register
class IncidentOpened(Event):
    type: ClassVar[str] = "incident.opened"
    incident_id: str
    title: str
    community: str
    department: str
    opened_at: AwareDatetime


@register
class IncidentComplaintsLinked(Event):
    type: ClassVar[str] = "incident.complaints_linked"
    complaint_ids: tuple[str, ...]


class SkippedOrder(BaseModel):
    """An order the incident's completion left alone, and why (its status then)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    complaint_id: str
    status: str
    reason: str


@register
class IncidentCompleted(Event):
    """The incident's work is done: each linked order completed, judged on its own due time."""

    type: ClassVar[str] = "incident.completed"
    note: str | None = None
    completed_at: AwareDatetime
    completed: tuple[str, ...]
    skipped: tuple[SkippedOrder, ...]


# ------------------------------------------------------ P-17 month close (the report as delivered)


def month_stream_id_of(month: str, community: str | None = None) -> str:
    return f"month-{month}" + (f"-{community}" if community else "")


@register
class MonthClosed(Event):
    """P-17: the manager closed the month; ``report`` is the monthly report as delivered."""

    type: ClassVar[str] = "month.closed"
    month: str
    community: str | None = None
    closed_at: AwareDatetime
    report: dict[str, Any]


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
