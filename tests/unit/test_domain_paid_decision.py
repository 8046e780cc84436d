"""P-7: for a repair inside a unit, customer service first finds out whether it is free or paid."""

from __future__ import annotations

from datetime import datetime

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import RuleViolation
from tests.unit.given import (
    SHANGHAI,
    T0,
    at,
    awaiting_decision,
    awaiting_quote,
    given,
    registered,
    registered_and_dispatched,
    when,
)


def test_an_in_unit_repair_is_routed_to_wait_for_the_decision_without_a_due_time() -> None:
    # given
    history = [registered(description="厨房水龙头漏水")]
    # when
    events = when(c.RouteComplaint(), given(*history), now=T0)
    # then
    assert events == [
        ev.ComplaintRouted(category="repair.in_unit", department="engineering", paid_mode="ask",
                           routed_by="keyword", keyword="水龙头")
    ]
    state = given(*history, *events)
    assert state.status == "awaiting_decision"
    assert (state.dispatched_at, state.due_at, state.paid) == (None, None, None)


def test_deciding_it_is_free_dispatches_it_due_a_day_after_the_decision() -> None:
    # given
    state = given(*awaiting_decision())
    # when
    events = when(c.DecidePaid(paid=False), state, now=at(hours=2))
    # then
    assert events == [
        ev.PaidDecided(paid=False),
        ev.WorkOrderDispatched(
            department="engineering",
            category="repair.in_unit",
            dispatched_at=at(hours=2),
            due_at=at(hours=26),
            due_basis="commitment",
            commitment_minutes="1440",
        ),
    ]


def test_deciding_it_is_free_with_a_booked_time_makes_it_due_at_the_end_of_the_booking() -> None:
    # given
    end = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
    state = given(
        registered(category="repair.in_unit", appointment_start=at(hours=24),
                   appointment_end=end),
        ev.ComplaintRouted(category="repair.in_unit", department="engineering",
                           paid_mode="ask", routed_by="given"),
    )
    # when
    events = when(c.DecidePaid(paid=False), state, now=at(hours=1))
    # then
    order = events[1]
    assert isinstance(order, ev.WorkOrderDispatched)
    assert (order.due_at, order.due_basis) == (end, "appointment")


def test_deciding_it_is_paid_makes_it_wait_for_a_quote_without_a_due_time() -> None:
    # given
    history = awaiting_decision()
    # when
    events = when(c.DecidePaid(paid=True), given(*history))
    # then
    assert events == [ev.PaidDecided(paid=True)]
    state = given(*history, *events)
    assert (state.status, state.paid, state.due_at) == ("awaiting_quote", True, None)


@pytest.mark.parametrize("first", [True, False], ids=["paid", "free"])
@pytest.mark.parametrize("second", [True, False], ids=["paid", "free"])
def test_deciding_twice_is_refused_naming_P7(first: bool, second: bool) -> None:
    # given
    history = awaiting_decision()
    history += when(c.DecidePaid(paid=first), given(*history))
    # when
    with pytest.raises(RuleViolation, match="P-7") as refused:
        when(c.DecidePaid(paid=second), given(*history), now=at(hours=1))
    # then
    assert refused.value.rule == "P-7"


@pytest.mark.parametrize(
    "history",
    [[registered()], registered_and_dispatched(), awaiting_quote()],
    ids=["not yet routed", "free work", "paid work"],
)
def test_deciding_free_or_paid_where_the_policy_does_not_ask_is_refused_naming_P7(
    history: list[ev.Event],
) -> None:
    with pytest.raises(RuleViolation, match="P-7"):
        when(c.DecidePaid(paid=False), given(*history))
