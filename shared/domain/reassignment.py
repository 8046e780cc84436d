"""P-6, P-9, P-16: correcting a work order after dispatch — reassign and reopen.

- Reassign (wrong routing, P-6): while the order is open and not completed
  (dispatched, accepted or assigned), the desk moves it to another of the
  departments that work orders. The new department accepts and assigns it
  afresh (status ``dispatched``, no team); the due time stays as first
  dispatched (P-14), and the statistics count the order under the department
  that holds it at the end (procedure.md, "Reassigned").
- Reopen (P-9, P-15): the customer will not sign off a completed order; it
  goes back to ``assigned``, same team, and its completion is forgotten:
  timeliness is judged on the final completion (procedure.md, "Timely").
"""

from __future__ import annotations

from datetime import datetime

from shared.domain import events as ev
from shared.domain.commands import ReassignOrder, ReopenOrder
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.state import Complaint
from shared.policy import Policy
from shared.vocabulary import DEPARTMENTS

REASSIGNABLE = frozenset({"dispatched", "accepted", "assigned"})
REOPENABLE = frozenset({"completed"})


def _reason(reason: str) -> str:
    if not reason.strip():
        raise InvalidCommand("reason", "say why")
    return reason.strip()


def reassign_order(c: ReassignOrder, state: Complaint, _p: Policy, _now: datetime
                   ) -> list[ev.Event]:
    if state.status not in REASSIGNABLE:
        raise RuleViolation("P-6", f"only an order not yet completed can be reassigned "
                            f"(dispatched, accepted or assigned); this one is {state.status}")
    if c.department not in DEPARTMENTS:
        raise InvalidCommand("department", f"unknown department {c.department!r}; "
                             f"one of {', '.join(DEPARTMENTS)}")
    if c.department == state.department:
        raise InvalidCommand("department", f"the order is already with {c.department}")
    assert state.department is not None
    return [ev.WorkOrderReassigned(department=c.department, from_department=state.department,
                                   reason=_reason(c.reason))]


def reopen_order(c: ReopenOrder, state: Complaint, _p: Policy, _now: datetime
                 ) -> list[ev.Event]:
    if state.status not in REOPENABLE:
        raise RuleViolation("P-9", f"only a completed order the customer will not sign off "
                            f"can be reopened; this one is {state.status}")
    assert state.department is not None
    return [ev.WorkOrderReopened(department=state.department, team=state.team,
                                 reason=_reason(c.reason))]
