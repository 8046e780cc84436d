"""P-6, P-7, P-9, P-11, P-14: routing a new complaint and dispatching its work order (派单).

Free work is dispatched at once. An in-unit repair whose policy says
``paid = "ask"`` waits for the desk's free/paid decision (P-7); paid work
waits for the customer's acceptance of a quote (P-8, P-10). No clock runs
against the company before dispatch.
"""

from __future__ import annotations

from datetime import datetime

from shared.domain import events as ev
from shared.domain.commands import RouteComplaint
from shared.domain.errors import RuleViolation
from shared.domain.escalation import escalate_if_serious
from shared.domain.routing import route, serious_word_in
from shared.domain.state import Complaint
from shared.domain.timeliness import due_time
from shared.policy import Policy, UnknownCategory


def route_complaint(
    _command: RouteComplaint, state: Complaint, policy: Policy, now: datetime
) -> list[ev.Event]:
    """The dispatcher's answer to ``complaint.registered``; nothing twice (idempotent)."""
    if state.status != "registered" or state.department is not None:
        return []  # already routed: a redelivered registration changes nothing
    assert state.registration is not None
    given = state.registration.category
    decided = route(state.registration.description,
                    given if given in policy.categories else None, policy)
    category = decided.category
    # P-12: a serious word makes a complaint registered as "normal" serious.
    raised_by = (serious_word_in(state.registration.description, policy)
                 if state.severity != "serious" else None)
    routed = ev.ComplaintRouted(
        category=category.id,
        department=category.department,
        paid_mode=category.paid,
        routed_by=decided.routed_by,
        keyword=decided.keyword,
        severity_raised_by=raised_by,
    )
    out: list[ev.Event] = [routed]
    if category.paid == "free":
        out.append(dispatch(state, category.id, policy, now))
    out.extend(escalate_if_serious(state, category.department, raised_by))
    return out


def dispatch(
    state: Complaint, category_id: str, policy: Policy, now: datetime,
    price_total: str | None = None,
) -> ev.WorkOrderDispatched:
    """P-9, P-14: the work order, with the due time and commitment frozen in."""
    if state.dispatched_at is not None:
        raise RuleViolation("P-14", "the work order was already dispatched")
    try:
        category = policy.category(category_id)
    except UnknownCategory:
        raise RuleViolation("P-14", f"category {category_id} is no longer in the policy; "
                            "set a current category before dispatch") from None
    assert state.registration is not None
    due_at, basis = due_time(now, category.commitment, state.registration.appointment_end)
    return ev.WorkOrderDispatched(
        department=category.department,
        category=category.id,
        dispatched_at=now,
        due_at=due_at,
        due_basis=basis,
        commitment_minutes=str(category.commitment_minutes),
        price_total=price_total,
        mail_check=category.mail_check,
    )
