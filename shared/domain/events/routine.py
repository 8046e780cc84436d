"""A complaint's routine life: registered, routed, priced, dispatched, worked, signed off.

P-3..P-5 (registering), P-6..P-11 (dispatching, quotes), P-12 (escalation and
inspection), P-9 and P-15 (the work order). Every event of one complaint lives
in the stream ``complaint-<uuid>``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

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
