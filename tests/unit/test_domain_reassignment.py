"""Reassign (P-6) and reopen (P-9): the due time stays; the final department and the final
completion are what the statistics see."""

from __future__ import annotations

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.timeliness import judge
from tests.unit.given import (
    FREE,
    T0,
    accepted,
    assigned,
    at,
    awaiting_decision,
    closed,
    completed,
    given,
    registered_and_dispatched,
    when,
)

DUE = at(hours=24)  # repair.common_area: a 24 h commitment from dispatch at T0


@pytest.mark.parametrize("history", [registered_and_dispatched(), accepted(), assigned()],
                         ids=["dispatched", "accepted", "assigned"])
def test_wrong_routing_moves_an_open_order_to_another_department_P6(history: list) -> None:
    # given an engineering order not yet completed
    state = given(*history)
    # when the desk reassigns it
    events = when(c.ReassignOrder(department="environment", reason="是楼道卫生，不是维修"), state)
    # then it goes to environment, and engineering is told too
    assert events == [ev.WorkOrderReassigned(department="environment",
                                             from_department="engineering",
                                             reason="是楼道卫生，不是维修")]
    after = given(*history, *events)
    assert (after.status, after.department, after.team) == ("dispatched", "environment", None)


def test_a_reassigned_order_keeps_its_first_due_time_P14() -> None:
    state = given(*assigned())
    events = when(c.ReassignOrder(department="security", reason="x"), state, now=at(hours=5))
    after = given(*assigned(), *events)
    assert after.due_at == state.due_at == DUE
    assert after.dispatched_at == T0


def test_the_new_department_accepts_assigns_and_completes_it_P9() -> None:
    history = [*assigned(), ev.WorkOrderReassigned(department="environment",
                                                   from_department="engineering", reason="x")]
    history += when(c.AcceptOrder(), given(*history))
    history += when(c.AssignTeam(team="保洁班"), given(*history))
    history += when(c.CompleteOrder(), given(*history), now=at(hours=30))
    state = given(*history)
    assert history[-1] == ev.WorkOrderCompleted(department="environment", completed_at=at(hours=30))
    # judged against the first due time (24 h after dispatch): late
    assert judge(state.status, state.due_at, state.completed_at, at(hours=31)) == "late"


@pytest.mark.parametrize("history", [completed(), closed(), awaiting_decision()],
                         ids=["completed", "closed", "not dispatched"])
def test_only_an_order_not_yet_completed_can_be_reassigned_P6(history: list) -> None:
    with pytest.raises(RuleViolation, match=r"^P-6: only an order not yet completed") as refused:
        when(c.ReassignOrder(department="environment", reason="x"), given(*history))
    assert refused.value.rule == "P-6"


@pytest.mark.parametrize("department", ["plumbing", "leadership", "engineering"])
def test_reassignment_names_another_department_that_works_orders(department: str) -> None:
    with pytest.raises(InvalidCommand) as refused:
        when(c.ReassignOrder(department=department, reason="x"), given(*assigned()))
    assert refused.value.field == "department"


def test_reassignment_says_why() -> None:
    with pytest.raises(InvalidCommand) as refused:
        when(c.ReassignOrder(department="security", reason="  "), given(*assigned()))
    assert refused.value.field == "reason"


def test_a_completed_order_the_customer_will_not_sign_goes_back_to_its_team_P9() -> None:
    # given an order completed at T0+3h by 水电班
    state = given(*completed())
    # when the desk reopens it
    events = when(c.ReopenOrder(reason="还在漏水"), state, now=at(hours=4))
    # then it is assigned again, same team, and its completion is forgotten
    assert events == [ev.WorkOrderReopened(department="engineering", team="水电班",
                                           reason="还在漏水")]
    after = given(*completed(), *events)
    assert (after.status, after.team, after.completed_at) == ("assigned", "水电班", None)
    assert after.due_at == state.due_at


def test_a_reopened_order_is_judged_on_its_final_completion_P16() -> None:
    # completed in time (3 h), reopened, completed again after the 24 h due time
    history = [*completed(FREE, at(hours=3)),
               ev.WorkOrderReopened(department="engineering", team="水电班", reason="还在漏水")]
    reopened = given(*history)
    assert judge(reopened.status, reopened.due_at, reopened.completed_at, at(hours=5)) == "pending"
    history += when(c.CompleteOrder(note="换了管子"), reopened, now=at(hours=26))
    final = given(*history)
    assert final.completed_at == at(hours=26)
    assert judge(final.status, final.due_at, final.completed_at, at(hours=27)) == "late"


@pytest.mark.parametrize("history", [assigned(), closed(), registered_and_dispatched()],
                         ids=["assigned", "closed", "dispatched"])
def test_only_a_completed_order_can_be_reopened_P9(history: list) -> None:
    with pytest.raises(RuleViolation, match=r"^P-9: only a completed order"):
        when(c.ReopenOrder(reason="x"), given(*history))
