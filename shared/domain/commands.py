"""What people (and the dispatcher) ask of a complaint. Imperative names; plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RegisterComplaint:
    complaint_id: str
    channel: str
    community: str
    unit: str
    customer_name: str
    phone: str
    description: str
    category: str | None = None
    appointment_start: datetime | None = None
    appointment_end: datetime | None = None
    severity: str = "normal"
    read_back_confirmed: bool = False
    received_by: str | None = None


@dataclass(frozen=True)
class RouteComplaint:
    """The dispatcher's step on a new registration: route, dispatch if free, escalate."""


@dataclass(frozen=True)
class DecidePaid:
    paid: bool


@dataclass(frozen=True)
class QuoteItem:
    fee: str
    quantity: int = 1


@dataclass(frozen=True)
class IssueQuote:
    items: tuple[QuoteItem, ...]


@dataclass(frozen=True)
class AcceptQuote:
    pass


@dataclass(frozen=True)
class DeclineQuote:
    reason: str | None = None


@dataclass(frozen=True)
class Withdraw:
    reason: str


@dataclass(frozen=True)
class AcceptOrder:
    pass


@dataclass(frozen=True)
class AssignTeam:
    team: str


@dataclass(frozen=True)
class CompleteOrder:
    note: str | None = None


@dataclass(frozen=True)
class RecordMailCheck:
    checked: str
    finding: str


@dataclass(frozen=True)
class SignOff:
    quality: int
    attitude: int
    signed_by: str
    comment: str | None = None


@dataclass(frozen=True)
class RecordFollowUp:
    note: str


# --- P-12 serious complaints


@dataclass(frozen=True)
class RecordInspection:
    """Leadership's site inspection of a serious complaint: what was found, what was
    decided, who was there."""

    findings: str
    decision: str
    present: tuple[str, ...]
# --- reassign and reopen (P-6, P-9, P-16) ---


@dataclass(frozen=True)
class ReassignOrder:
    department: str
    reason: str


@dataclass(frozen=True)
class ReopenOrder:
    reason: str


# --- P-13 referral to an outside body ---


@dataclass(frozen=True)
class ReferComplaint:
    organisation: str
    contact: str
    explanation: str


@dataclass(frozen=True)
class NoteReferral:
    note: str


@dataclass(frozen=True)
class ResolveReferral:
    outcome: str
# --- P-9 B warnings, chases and auto-close: the dispatcher's scheduler asks; the domain
# decides from the stream and ``now`` whether anything is due (nothing is no error).


@dataclass(frozen=True)
class WarnOrder:
    pass


@dataclass(frozen=True)
class ChaseOrder:
    pass


@dataclass(frozen=True)
class AutoClose:
    pass


# --- P-9/P-16 incidents


@dataclass(frozen=True)
class LinkToIncident:
    """Record on the complaint that it is one of an incident's many (one cause)."""

    incident_id: str
    title: str


@dataclass(frozen=True)
class CompleteForIncident:
    """Complete the order because its incident's work is done, at the incident's time."""

    incident_id: str
    title: str
    department: str
    completed_at: datetime
    note: str | None = None


# --- corrections (P-5, P-9)


@dataclass(frozen=True)
class AmendRegistration:
    """The desk corrects the registration form; ``None`` leaves a field as it is."""

    reason: str
    unit: str | None = None
    phone: str | None = None
    category: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class RescheduleAppointment:
    """The customer's new booked time (客户预约时间)."""

    appointment_start: datetime
    appointment_end: datetime
    reason: str | None = None


@dataclass(frozen=True)
class RecordMissedAppointment:
    note: str | None = None


Command = (
    RegisterComplaint | RouteComplaint | DecidePaid | IssueQuote | AcceptQuote | DeclineQuote
    | Withdraw | AcceptOrder | AssignTeam | CompleteOrder | RecordMailCheck | SignOff
    | RecordFollowUp
    | RecordInspection  # P-12
    # --- reassign and reopen; P-13 referral ---
    | ReassignOrder | ReopenOrder | ReferComplaint | NoteReferral | ResolveReferral
    # --- P-9 B warnings and chases
    | WarnOrder | ChaseOrder | AutoClose
    | LinkToIncident | CompleteForIncident  # P-9/P-16 incidents
    | AmendRegistration | RescheduleAppointment | RecordMissedAppointment  # corrections
)


# --- P-4 call records (not a complaint command: a call has its own stream) ---


@dataclass(frozen=True)
class RecordCall:
    call_id: str
    caller: str
    phone: str
    received_by: str
    summary: str
    complaint_id: str | None = None
