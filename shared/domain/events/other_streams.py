"""The events of the aggregates beside a complaint, each in its own stream.

A call record (P-4, ``call-<uuid>``), a corrective action (P-17,
``action-<uuid>``), a mass incident (P-9/P-16, ``incident-<uuid>``) and a
closed month (P-17, ``month-<YYYY-MM>[-community]``). The complaint's own
events are beside this module; the package re-exports every one.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.events import Event, register


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


def incident_stream_id_of(incident_id: str) -> str:
    return f"incident-{incident_id}"


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
