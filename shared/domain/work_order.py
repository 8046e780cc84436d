"""P-9, P-11a, P-15: the work order's life in its department.

dispatched → accepted → assigned (a team, 班组) → completed → closed by the
customer's sign-off with ratings of quality and attitude. Customer service
follows up at any time until the order is closed (P-9 C). A complaint can be
withdrawn only until its department accepts it.
"""

from __future__ import annotations

from datetime import datetime

from shared.domain import events as ev
from shared.domain.commands import (
    AcceptOrder,
    AssignTeam,
    CompleteOrder,
    RecordFollowUp,
    RecordMailCheck,
    SignOff,
    Withdraw,
)
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.referral import require_no_open_referral
from shared.domain.state import TERMINAL, Complaint
from shared.policy import Policy

WITHDRAWABLE = frozenset({"registered", "awaiting_decision", "awaiting_quote", "dispatched"})


def _require(state: Complaint, allowed: set[str], rule: str, step: str) -> str:
    if state.status not in allowed:
        raise RuleViolation(rule, f"cannot {step} an order that is {state.status}; "
                            f"allowed when {' or '.join(sorted(allowed))}")
    assert state.department is not None
    return state.department


def accept_order(_c: AcceptOrder, state: Complaint, _p: Policy, _now: datetime) -> list[ev.Event]:
    department = _require(state, {"dispatched"}, "P-9", "accept")
    return [ev.WorkOrderAccepted(department=department)]


def assign_team(c: AssignTeam, state: Complaint, _p: Policy, _now: datetime) -> list[ev.Event]:
    department = _require(state, {"accepted", "assigned"}, "P-9", "assign a team to")
    if not c.team.strip():
        raise InvalidCommand("team", "P-9: name the team (班组)")
    return [ev.TeamAssigned(department=department, team=c.team.strip())]


def complete_order(c: CompleteOrder, state: Complaint, _p: Policy, now: datetime
                   ) -> list[ev.Event]:
    department = _require(state, {"assigned"}, "P-9", "complete (a team must be assigned)")
    require_no_open_referral(state, "complete the order")  # P-13: the clock stands still
    return [ev.WorkOrderCompleted(department=department, note=c.note, completed_at=now)]


def record_mail_check(c: RecordMailCheck, state: Complaint, _p: Policy, _now: datetime
                      ) -> list[ev.Event]:
    department = _require(state, {"accepted", "assigned", "completed"}, "P-11a",
                          "record a mail-log check on")
    if not state.mail_check_needed:
        raise RuleViolation("P-11a", f"category {state.category} needs no mail-log check")
    return [ev.MailLogChecked(department=department, checked=c.checked, finding=c.finding)]


def sign_off(c: SignOff, state: Complaint, _p: Policy, now: datetime) -> list[ev.Event]:
    department = _require(state, {"completed"}, "P-15", "sign off")
    for field in ("quality", "attitude"):
        if not 1 <= getattr(c, field) <= 5:
            raise InvalidCommand(field, "P-15: rate from 1 to 5")
    if state.mail_check_needed and not state.mail_checked:
        raise RuleViolation("P-11a", "the security head's mail-log check must be recorded "
                            "before sign-off")
    return [ev.WorkOrderSignedOff(department=department, quality=c.quality, attitude=c.attitude,
                                  signed_by=c.signed_by, comment=c.comment, signed_off_at=now)]


def record_follow_up(c: RecordFollowUp, state: Complaint, _p: Policy, now: datetime
                     ) -> list[ev.Event]:
    if state.status == "new" or state.status in TERMINAL:
        raise RuleViolation("P-9", f"no follow-up on a complaint that is {state.status}")
    return [ev.FollowUpRecorded(department=state.department, note=c.note, followed_up_at=now)]


def withdraw(c: Withdraw, state: Complaint, _p: Policy, _now: datetime) -> list[ev.Event]:
    if state.status not in WITHDRAWABLE:
        # procedure.md, "What the text leaves open": a complaint withdrawn before
        # its department accepted it is listed apart from the total (P-16).
        raise RuleViolation("P-16", f"a complaint can be withdrawn only until its department "
                            f"accepts it (status is {state.status})")
    return [ev.ComplaintWithdrawn(reason=c.reason)]
