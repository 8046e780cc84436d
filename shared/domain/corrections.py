"""P-5, P-9: correcting the record.

- **Amending the registration** (P-5, 记清楚): the desk corrects the unit, the
  phone, the category or the description, and says why. The event keeps the
  old and the new value of each changed field, so the history shows both; the
  complaint shows the current values. Allowed until the order is closed
  (withdrawn, declined and closed complaints are finished records).
  A corrected **category** settles as follows:

  - not yet routed (``registered``): the dispatcher routes by the corrected
    category (and description) when it gets to it: it is routing input;
  - routed, not yet dispatched (``awaiting_decision``, ``awaiting_quote``):
    routed again at once by the corrected category, as the desk's given
    category: a free one is dispatched now, an ``ask`` one waits for the
    free/paid decision again, a paid one waits for a quote (a quote already
    given stands until quoted again); an escalation already sent stays as sent;
  - dispatched: the category is corrected on the record (the statistics count
    the complaint under it), but the order is not routed again: its department
    and due time stay. Moving an order to another department is reassign's job.

- **Rescheduling** (P-9): the customer books another time for a dispatched
  order not yet completed. The due time moves to the end of the new booked
  time, recorded as the customer's request; timeliness then judges against it.
  This is the one way, besides an outside body's hold (P-13), that a due time
  moves after dispatch: the company does not move its own deadline.

- **A missed appointment** (P-9): the department holding the order did not
  come at the customer's booked time. Recorded against that department (the
  event carries it, and the monthly report counts it there even if the order
  is reassigned later), for an order dispatched, accepted or assigned that
  has a booked time which has begun.
"""

from __future__ import annotations

from datetime import datetime

from shared.domain import events as ev
from shared.domain.commands import (
    AmendRegistration,
    RecordMissedAppointment,
    RescheduleAppointment,
)
from shared.domain.dispatching import dispatch
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.registration import check_booked_time
from shared.domain.state import TERMINAL, Complaint, evolve
from shared.policy import Policy

AMENDABLE_FIELDS = ("unit", "phone", "category", "description")
# Routed, but no work order yet: a corrected category is routed again at once.
ROUTED_NOT_DISPATCHED = frozenset({"awaiting_decision", "awaiting_quote"})
# P-9: dispatched and not yet completed.
OPEN_ORDER = frozenset({"dispatched", "accepted", "assigned"})


def amend_registration(command: AmendRegistration, state: Complaint, policy: Policy,
                       now: datetime) -> list[ev.Event]:
    """P-5: the corrected form, with old and new values; re-routed if not yet dispatched."""
    if state.status in TERMINAL:
        raise RuleViolation("P-5", f"a {state.status} complaint's registration can no longer "
                            "be amended; amend until the order is closed")
    if not command.reason.strip():
        raise InvalidCommand("reason", "P-5: say why the registration is amended")
    given = {field: getattr(command, field) for field in AMENDABLE_FIELDS
             if getattr(command, field) is not None}
    if not given:
        raise InvalidCommand("body", "give at least one of " + ", ".join(AMENDABLE_FIELDS)
                             + " besides reason")
    changes = [change for field, value in given.items()
               if (change := _change(field, value, state, policy)) is not None]
    if not changes:
        raise InvalidCommand("body", "nothing to amend: every field given is as recorded")
    amended = ev.ComplaintAmended(changes=tuple(changes), reason=command.reason.strip())
    out: list[ev.Event] = [amended]
    new_category = next((c.new for c in changes if c.field == "category"), None)
    if new_category is not None and state.status in ROUTED_NOT_DISPATCHED:
        out.extend(_route_again(evolve(state, amended), new_category, policy, now))
    return out


def _change(field: str, value: str, state: Complaint, policy: Policy) -> ev.FieldChange | None:
    assert state.registration is not None
    new = value.strip()
    if not new:
        raise InvalidCommand(field, "P-5: cannot be blank; leave it out to keep it")
    if field == "category":
        if new not in policy.categories:
            raise InvalidCommand("category", f"unknown category {new!r}")
        old = state.category
    else:
        old = getattr(state.registration, field)
    if new == old:
        return None
    return ev.FieldChange.model_validate({"field": field, "old": old, "new": new})


def _route_again(state: Complaint, category_id: str, policy: Policy, now: datetime
                 ) -> list[ev.Event]:
    """Routed by the corrected category, as the desk's given one; free work dispatched now."""
    category = policy.category(category_id)
    routed = ev.ComplaintRouted(category=category.id, department=category.department,
                                paid_mode=category.paid, routed_by="given",
                                severity_raised_by=state.severity_raised_by)
    if category.paid != "free":
        return [routed]
    return [routed, dispatch(evolve(state, routed), category.id, policy, now)]


def reschedule_appointment(command: RescheduleAppointment, state: Complaint, _p: Policy,
                           now: datetime) -> list[ev.Event]:
    """P-9: the customer's new booked time; the due time moves to its end."""
    department = _open_order(state, "reschedule")
    check_booked_time(command.appointment_start, command.appointment_end, now)
    assert state.due_at is not None
    reason = command.reason.strip() if command.reason else None
    return [ev.WorkOrderRescheduled(
        department=department, appointment_start=command.appointment_start,
        appointment_end=command.appointment_end, old_due_at=state.due_at,
        due_at=command.appointment_end, requested_by="customer", reason=reason or None)]


def record_missed_appointment(command: RecordMissedAppointment, state: Complaint, _p: Policy,
                              now: datetime) -> list[ev.Event]:
    """P-9: the department holding the order missed the customer's booked time."""
    department = _open_order(state, "record a missed appointment on")
    assert state.registration is not None
    start, end = state.registration.appointment_start, state.registration.appointment_end
    if start is None:
        raise RuleViolation("P-9", "the order has no booked time (客户预约时间) to miss")
    if now < start:
        raise RuleViolation("P-9", f"the booked time begins at {start.isoformat()}; it cannot "
                            "be missed before it begins")
    note = command.note.strip() if command.note else None
    return [ev.AppointmentMissed(department=department, appointment_start=start,
                                 appointment_end=end, note=note or None)]


def _open_order(state: Complaint, step: str) -> str:
    if state.status not in OPEN_ORDER:
        raise RuleViolation("P-9", f"cannot {step} an order that is {state.status}; allowed "
                            f"when {' or '.join(sorted(OPEN_ORDER))}")
    assert state.department is not None
    return state.department
