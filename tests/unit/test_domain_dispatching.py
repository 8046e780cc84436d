"""P-6, P-9, P-11, P-14: free work is routed and dispatched at once, its due time frozen in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.dispatching import dispatch
from shared.domain.errors import RuleViolation
from tests.unit.given import (
    DEFAULT,
    SHANGHAI,
    T0,
    accepted,
    assigned,
    at,
    awaiting_decision,
    awaiting_quote,
    given,
    policy_changed,
    registered,
    registered_and_dispatched,
    routed,
    when,
    with_commitment,
    withdrawn,
)


def test_a_free_category_is_routed_and_dispatched_at_once_in_one_decision() -> None:
    # given
    state = given(registered(category="cleaning.common_area"))
    # when
    events = when(c.RouteComplaint(), state, now=T0)
    # then
    assert events == [
        ev.ComplaintRouted(category="cleaning.common_area", department="environment",
                           paid_mode="free", routed_by="given"),
        ev.WorkOrderDispatched(
            department="environment",
            category="cleaning.common_area",
            dispatched_at=T0,
            due_at=at(hours=4),
            due_basis="commitment",
            commitment_minutes="240",
        ),
    ]


def test_a_salesman_at_the_door_found_by_keyword_is_due_in_thirty_minutes() -> None:
    # given
    state = given(registered(description="有推销人员挨家挨户敲门推销"))
    # when
    events = when(c.RouteComplaint(), state, now=at(minutes=5))
    # then
    assert events == [
        ev.ComplaintRouted(category="intruder.sales", department="security", paid_mode="free",
                           routed_by="keyword", keyword="推销"),
        ev.WorkOrderDispatched(
            department="security",
            category="intruder.sales",
            dispatched_at=at(minutes=5),
            due_at=at(minutes=35),
            due_basis="commitment",
            commitment_minutes="30",
        ),
    ]


def test_the_due_time_is_counted_from_dispatch_not_from_registration() -> None:
    # given: registered at T0, the dispatcher only got to it an hour later
    state = given(registered(category="renovation.disturbance"))
    # when
    events = when(c.RouteComplaint(), state, now=at(hours=1))
    # then
    order = events[1]
    assert isinstance(order, ev.WorkOrderDispatched)
    assert (order.dispatched_at, order.due_at) == (at(hours=1), at(hours=3))


def test_with_a_booked_time_the_order_is_due_at_the_end_of_the_booking() -> None:
    # given
    start = datetime(2026, 11, 30, 14, 0, tzinfo=SHANGHAI)
    end = datetime(2026, 11, 30, 16, 0, tzinfo=SHANGHAI)
    state = given(registered(category="repair.common_area", appointment_start=start,
                             appointment_end=end))
    # when
    events = when(c.RouteComplaint(), state, now=T0)
    # then
    assert events[1] == ev.WorkOrderDispatched(
        department="engineering",
        category="repair.common_area",
        dispatched_at=T0,
        due_at=end,
        due_basis="appointment",
        commitment_minutes="1440",
    )


def test_a_fractional_commitment_is_frozen_exactly_as_the_policy_wrote_it() -> None:
    # given
    policy = with_commitment("cleaning.common_area", 90.5)
    state = given(registered(category="cleaning.common_area"))
    # when
    events = when(c.RouteComplaint(), state, policy=policy)
    # then
    order = events[1]
    assert isinstance(order, ev.WorkOrderDispatched)
    assert order.commitment_minutes == "90.5"
    assert order.due_at == T0 + timedelta(minutes=90, seconds=30)


# ------------------------------------------------------ P-14: the past is not rewritten


def test_a_later_change_of_commitment_does_not_move_a_dispatched_orders_due_time_P14() -> None:
    # given: dispatched under the shipped 4 h commitment
    history = when(c.RouteComplaint(), given(registered(category="cleaning.common_area")))
    # when: the policy now says 1 h, and the order goes on under it
    later = with_commitment("cleaning.common_area", 60)
    state = given(registered(category="cleaning.common_area"), *history)
    more = when(c.AcceptOrder(), state, policy=later, now=at(minutes=30))
    state = given(registered(category="cleaning.common_area"), *history, *more)
    # then
    assert state.due_at == at(hours=4)
    assert state.commitment_minutes == "240"


def test_the_state_takes_its_due_time_from_the_dispatch_event_alone() -> None:
    # given: an event written when the commitment was 10 minutes
    order = ev.WorkOrderDispatched(
        department="environment", category="cleaning.common_area", dispatched_at=T0,
        due_at=at(minutes=10), due_basis="commitment", commitment_minutes="10",
    )
    # when
    state = given(registered(category="cleaning.common_area"), routed("cleaning.common_area"),
                  order)
    # then
    assert (state.dispatched_at, state.due_at, state.commitment_minutes) == (
        T0, at(minutes=10), "10")


def test_an_order_dispatched_after_a_change_of_commitment_takes_the_new_one_P14() -> None:
    # given
    policy = with_commitment("cleaning.common_area", 60)
    state = given(registered(category="cleaning.common_area"))
    # when
    events = when(c.RouteComplaint(), state, policy=policy)
    # then
    order = events[1]
    assert isinstance(order, ev.WorkOrderDispatched)
    assert (order.due_at, order.commitment_minutes) == (at(hours=1), "60")


def test_an_order_is_never_dispatched_twice_P14() -> None:
    # given
    state = given(*registered_and_dispatched("cleaning.common_area"))
    # when
    with pytest.raises(RuleViolation, match="P-14") as refused:
        dispatch(state, "cleaning.common_area", DEFAULT, at(hours=1))
    # then
    assert refused.value.rule == "P-14"


# ------------------------------------------------------------------ idempotent


@pytest.mark.parametrize(
    "history",
    [
        registered_and_dispatched(),
        accepted(),
        assigned(),
        awaiting_decision(),
        awaiting_quote(),
        withdrawn(),
    ],
    ids=["dispatched", "accepted", "assigned", "awaiting_decision", "awaiting_quote",
         "withdrawn"],
)
def test_routing_a_complaint_again_decides_nothing(history: list[ev.Event]) -> None:
    assert when(c.RouteComplaint(), given(*history), now=at(hours=2)) == []


# ------------------------------------------------------------------ daylight saving (P-14)

NEW_YORK = ZoneInfo("America/New_York")
IN_NEW_YORK = policy_changed(lambda data: data.update(timezone="America/New_York"))

# New York's clocks spring forward at 02:00 on 8 March 2026 and fall back at
# 02:00 on 1 November 2026; each dispatch is just before one of the changes.
JUST_BEFORE_A_CHANGE = [
    datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK),
    datetime(2026, 3, 8, 1, 30, tzinfo=NEW_YORK),
    datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK),
    datetime(2026, 11, 1, 0, 30, tzinfo=NEW_YORK),
]


@pytest.mark.parametrize("dispatched_at", JUST_BEFORE_A_CHANGE, ids=lambda d: d.isoformat())
@pytest.mark.parametrize("category", ["repair.common_area", "renovation.disturbance"])
def test_the_due_time_is_the_commitment_later_in_elapsed_time_across_daylight_saving(
    dispatched_at: datetime, category: str
) -> None:
    # given a clock that reads New York's local time, and a free complaint
    state = given(registered(category=category))
    # when it is dispatched just before the clocks change
    dispatch_event = when(c.RouteComplaint(), state, IN_NEW_YORK, now=dispatched_at)[1]
    # then the due time is exactly the commitment later, in absolute time
    assert isinstance(dispatch_event, ev.WorkOrderDispatched)
    elapsed = dispatch_event.due_at.astimezone(UTC) - dispatched_at.astimezone(UTC)
    assert elapsed == IN_NEW_YORK.category(category).commitment
    assert dispatch_event.due_at.utcoffset() == timedelta(0)  # stored in UTC
