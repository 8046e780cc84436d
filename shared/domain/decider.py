"""``decide(command, state, policy, now) -> events``: the one entry to the procedure's rules.

Pure: no I/O, time passed in. Each command goes to the module of the rule
that governs it; that module checks the rule and returns the new events or
raises an error naming the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.domain import commands as c
from shared.domain.chasing import auto_close, chase_order, warn_order
from shared.domain.corrections import (  # corrections (P-5, P-9)
    amend_registration,
    record_missed_appointment,
    reschedule_appointment,
)
from shared.domain.dispatching import route_complaint
from shared.domain.errors import UnknownComplaint
from shared.domain.escalation import record_inspection
from shared.domain.incidents import complete_for_incident, link_to_incident
from shared.domain.quotes import accept_quote, decide_paid, decline_quote, issue_quote
from shared.domain.reassignment import reassign_order, reopen_order
from shared.domain.referral import note_referral, refer_complaint, resolve_referral
from shared.domain.registration import register_complaint
from shared.domain.state import Complaint
from shared.domain.work_order import (
    accept_order,
    assign_team,
    complete_order,
    record_follow_up,
    record_mail_check,
    sign_off,
    withdraw,
)
from shared.events import Event
from shared.policy import Policy

Rule = Callable[[Any, Complaint, Policy, datetime], list[Event]]

RULES: dict[type, Rule] = {
    c.RegisterComplaint: register_complaint,
    c.RouteComplaint: route_complaint,
    c.DecidePaid: decide_paid,
    c.IssueQuote: issue_quote,
    c.AcceptQuote: accept_quote,
    c.DeclineQuote: decline_quote,
    c.Withdraw: withdraw,
    c.AcceptOrder: accept_order,
    c.AssignTeam: assign_team,
    c.CompleteOrder: complete_order,
    c.RecordMailCheck: record_mail_check,
    c.SignOff: sign_off,
    c.RecordFollowUp: record_follow_up,
    # --- P-12 serious complaints
    c.RecordInspection: record_inspection,
    # --- reassign and reopen (P-6, P-9, P-16) ---
    c.ReassignOrder: reassign_order,
    c.ReopenOrder: reopen_order,
    # --- P-13 referral ---
    c.ReferComplaint: refer_complaint,
    c.NoteReferral: note_referral,
    c.ResolveReferral: resolve_referral,
    # --- P-9 B warnings and chases, auto-close
    c.WarnOrder: warn_order,
    c.ChaseOrder: chase_order,
    c.AutoClose: auto_close,
    # --- P-9/P-16 incidents
    c.LinkToIncident: link_to_incident,
    c.CompleteForIncident: complete_for_incident,
    # --- corrections (P-5, P-9)
    c.AmendRegistration: amend_registration,
    c.RescheduleAppointment: reschedule_appointment,
    c.RecordMissedAppointment: record_missed_appointment,
}


def decide(command: c.Command, state: Complaint, policy: Policy, now: datetime) -> list[Event]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if state.status == "new" and not isinstance(command, c.RegisterComplaint):
        raise UnknownComplaint("no such complaint")
    return RULES[type(command)](command, state, policy, now)
