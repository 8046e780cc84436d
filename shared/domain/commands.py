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
    | AmendRegistration | RescheduleAppointment | RecordMissedAppointment  # corrections
)

