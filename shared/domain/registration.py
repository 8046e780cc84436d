"""P-3, P-4, P-5: registering a complaint ("four clears, one report", 四清楚，一报告).

Any staff member may register (P-3; the HTTP edge lets every role in). A
registration is saved only with the facts that make it actionable (who,
where, what, how to reach them); when a person took it (visit, phone, staff)
they must confirm they read it back to the customer and say who they are.
The supervisor's notice is the ``complaint.registered`` message that reaches
``dept.customer_service``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.domain import events as ev
from shared.domain.commands import RegisterComplaint
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.state import Complaint
from shared.policy import Policy
from shared.vocabulary import CHANNELS, SEVERITIES

# P-5: channels where a person heard the complaint and must read it back.
READ_BACK_CHANNELS = frozenset({"visit", "phone", "staff"})
REQUIRED_FACTS = ("community", "unit", "customer_name", "phone", "description")
# A booking further ahead is a typing error, not a plan (and would overflow dates).
MAX_BOOKING_AHEAD = timedelta(days=366)


def register_complaint(
    command: RegisterComplaint, state: Complaint, policy: Policy, now: datetime
) -> list[ev.Event]:
    if state.status != "new":
        raise RuleViolation("P-4", f"complaint {command.complaint_id} is already registered")
    if command.channel not in CHANNELS:
        raise InvalidCommand("channel", "one of " + ", ".join(CHANNELS))
    if command.severity not in SEVERITIES:
        raise InvalidCommand("severity", "one of " + ", ".join(SEVERITIES))
    for field in REQUIRED_FACTS:
        if not str(getattr(command, field) or "").strip():
            raise InvalidCommand(field, "P-5: required to make the complaint actionable")
    if command.channel in READ_BACK_CHANNELS:
        if not command.read_back_confirmed:
            raise InvalidCommand(
                "read_back_confirmed",
                f"P-5: a {command.channel} complaint must be read back to the customer "
                "(复清楚) and confirmed",
            )
        if not (command.received_by or "").strip():
            raise InvalidCommand("received_by", f"P-5: say who took the {command.channel} "
                                 "complaint")
    if policy.communities is not None and command.community.strip() not in policy.communities:
        raise InvalidCommand("community", "not one of the policy's communities: "
                             + ", ".join(policy.communities))
    if command.category is not None and command.category not in policy.categories:
        raise InvalidCommand("category", f"unknown category {command.category!r}")
    _check_appointment(command, now)
    return [
        ev.ComplaintRegistered(
            complaint_id=command.complaint_id,
            channel=command.channel,
            community=command.community.strip(),
            unit=command.unit.strip(),
            customer_name=command.customer_name.strip(),
            phone=command.phone.strip(),
            description=command.description.strip(),
            category=command.category,
            appointment_start=command.appointment_start,
            appointment_end=command.appointment_end,
            severity=command.severity,
            read_back_confirmed=command.read_back_confirmed,
            received_by=command.received_by.strip() if command.received_by else None,
            registered_at=now,
        )
    ]


def _check_appointment(command: RegisterComplaint, now: datetime) -> None:
    check_booked_time(command.appointment_start, command.appointment_end, now)


def check_booked_time(start: datetime | None, end: datetime | None, now: datetime) -> None:
    """The customer's booked time (客户预约时间): both ends, with offsets, ahead, in order."""
    if (start is None) != (end is None):
        raise InvalidCommand("appointment", "give both start and end of the booked time")
    for field, moment in (("appointment.start", start), ("appointment.end", end)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidCommand(field, "give the time with its offset (e.g. +08:00)")
    if start is not None and end is not None:
        if end <= start:
            raise InvalidCommand("appointment.end", "must be after appointment.start")
        if end <= now:
            raise InvalidCommand("appointment.end", "the booked time has already ended")
        if start > now + MAX_BOOKING_AHEAD:
            raise InvalidCommand("appointment.start",
                                 f"book at most {MAX_BOOKING_AHEAD.days} days ahead")
