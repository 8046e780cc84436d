"""P-9/P-16: many complaints, one cause. Completing the incident completes its orders, each
still judged against its own due time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import RuleViolation
from shared.domain.incidents import (
    CompleteIncident,
    LinkComplaints,
    OpenIncident,
    UnknownIncident,
    decide,
    fold,
)
from shared.domain.state import fold as fold_complaint
from shared.domain.timeliness import judge
from shared.events import Event
from tests.unit.given import (
    T0,
    accepted,
    assigned,
    at,
    awaiting_decision,
    closed,
    completed,
    dispatched,
    given,
    registered,
    registered_and_dispatched,
    routed,
    when,
    withdrawn,
)

IID = "7d1c0e4b-1111-4a4e-9d1c-2f1f3c0f4a99"
A, B = "a" * 8, "b" * 8
TITLE = "3号楼水管爆裂"
History = Callable[[], list[Event]]
OPENED = ev.IncidentOpened(incident_id=IID, title=TITLE, community="荔园一期",
                           department="engineering", opened_at=T0)


def complete_for(completed_at: datetime = T0, note: str | None = None
                 ) -> c.CompleteForIncident:
    return c.CompleteForIncident(IID, TITLE, "engineering", completed_at, note)


# ------------------------------------------------------------------ the incident


def test_opening_an_incident_records_it_and_the_complaints_it_caused() -> None:
    events = decide(OpenIncident(IID, TITLE, "荔园一期", "engineering", (A, B)), fold([]), T0)
    assert events == [OPENED, ev.IncidentComplaintsLinked(complaint_ids=(A, B))]


def test_linking_more_records_only_the_new_ones() -> None:
    state = fold([OPENED, ev.IncidentComplaintsLinked(complaint_ids=(A,))])
    assert decide(LinkComplaints((A, B, B)), state, T0) == [
        ev.IncidentComplaintsLinked(complaint_ids=(B,))]
    assert decide(LinkComplaints((A,)), state, T0) == []


def test_an_unknown_incident_cannot_be_linked_or_completed() -> None:
    with pytest.raises(UnknownIncident):
        decide(LinkComplaints((A,)), fold([]), T0)
    with pytest.raises(UnknownIncident):
        decide(CompleteIncident((), (), T0), fold([]), T0)


def test_a_completed_incident_cannot_be_completed_again_nor_take_more_complaints_P9() -> None:
    done = ev.IncidentCompleted(completed_at=at(hours=2), completed=(A,), skipped=())
    state = fold([OPENED, ev.IncidentComplaintsLinked(complaint_ids=(A,)), done])
    with pytest.raises(RuleViolation, match="P-9: the incident was already completed"):
        decide(CompleteIncident((), (), at(hours=3)), state, at(hours=3))
    with pytest.raises(RuleViolation, match="P-9"):
        decide(LinkComplaints((B,)), state, at(hours=3))


# ------------------------------------------------------------------ the linked complaints


def test_a_complaint_records_its_link_in_its_own_history() -> None:
    assert when(c.LinkToIncident(IID, TITLE), given(*registered_and_dispatched())) == [
        ev.ComplaintLinkedToIncident(incident_id=IID, title=TITLE)]


def test_linking_a_complaint_again_to_the_same_incident_changes_nothing() -> None:
    state = given(*registered_and_dispatched(),
                  ev.ComplaintLinkedToIncident(incident_id=IID, title=TITLE))
    assert when(c.LinkToIncident(IID, TITLE), state) == []


def test_a_complaint_belongs_to_one_incident_at_most_P9() -> None:
    state = given(*registered_and_dispatched(),
                  ev.ComplaintLinkedToIncident(incident_id="other", title="停电"))
    with pytest.raises(RuleViolation, match="already linked to incident other"):
        when(c.LinkToIncident(IID, TITLE), state)


def test_a_finished_complaint_cannot_be_linked_P9() -> None:
    with pytest.raises(RuleViolation, match="withdrawn"):
        when(c.LinkToIncident(IID, TITLE), given(*withdrawn()))


@pytest.mark.parametrize("history", [registered_and_dispatched, accepted, assigned])
def test_the_incident_completes_an_order_being_worked_at_its_completion_time(
        history: History) -> None:
    events = when(complete_for(at(hours=2), note="已抢修"), given(*history()), now=at(hours=2))
    assert events == [ev.WorkOrderCompleted(
        department="engineering", note=f"incident {IID} ({TITLE}): 已抢修",
        completed_at=at(hours=2), incident_id=IID)]


def test_an_order_the_incident_completed_is_not_completed_twice() -> None:
    state = given(*assigned(), *when(complete_for(at(hours=2)), given(*assigned()),
                                     now=at(hours=2)))
    assert when(complete_for(at(hours=3)), state, now=at(hours=3)) == []


@pytest.mark.parametrize(("history", "status"), [
    (awaiting_decision, "awaiting_decision"), (completed, "completed"), (closed, "closed"),
    (withdrawn, "withdrawn")])
def test_orders_not_being_worked_are_left_alone_P9(
        history: History, status: str) -> None:
    with pytest.raises(RuleViolation, match=f"the order is {status}"):
        when(complete_for(at(hours=2)), given(*history()), now=at(hours=2))


def test_an_order_held_by_another_department_is_left_alone() -> None:
    with pytest.raises(RuleViolation, match="held by environment"):
        when(complete_for(), given(*assigned("cleaning.common_area")))


def test_each_order_is_still_judged_against_its_own_due_time_P16() -> None:
    # Two complaints of one burst main: one dispatched this morning (due in 24 h),
    # one dispatched two days ago (due yesterday). The incident is done at T0 + 3 h.
    early = [registered(category="repair.common_area", registered_at=at(days=-2)),
             routed("repair.common_area"), dispatched("repair.common_area", at(days=-2))]
    recent = [registered(category="repair.common_area"), routed("repair.common_area"),
              dispatched("repair.common_area", T0)]
    done_at = at(hours=3)
    judged = []
    for history in (recent, early):
        state = given(*history)
        state = fold_complaint(when(complete_for(done_at), state, now=done_at), state)
        judged.append(judge(state.status, state.due_at, state.completed_at, done_at))
    assert judged == ["timely", "late"]
