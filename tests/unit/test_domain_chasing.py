"""P-9 B: customer service checks each order against its due time, warns, and chases (催办);
a completed order never signed off closes itself, not rated.

The clock moves; the order here is a common-area repair dispatched at T0, due
24 h later; the shipped policy warns at 0.8 of the time (19:12 in), chases
every 60 minutes from the due time, and auto-closes 7 days after completion.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.chasing import next_step
from shared.domain.state import Complaint
from shared.events import Event
from tests.unit.given import (
    DEFAULT,
    accepted,
    assigned,
    at,
    closed,
    completed,
    given,
    policy_changed,
    registered_and_dispatched,
    when,
)

DUE = at(hours=24)
WARN_AT = at(hours=24 * 0.8)  # 19:12 after dispatch
ENGINEERING = "engineering"


def chased(number: int, chased_at: datetime) -> ev.WorkOrderChased:
    return ev.WorkOrderChased(department=ENGINEERING, number=number, due_at=DUE,
                              scheduled_at=DUE + timedelta(hours=number - 1), chased_at=chased_at)


def then_after(history: list[Event], command: c.Command, now: datetime) -> list[Event]:
    """Decide at ``now``, and return the history with what was decided appended."""
    return [*history, *when(command, given(*history), now=now)]


# ------------------------------------------------------------------ warning


def test_no_warning_before_the_share_of_the_commitment_is_used_P9B() -> None:
    state = given(*registered_and_dispatched())
    assert when(c.WarnOrder(), state, now=WARN_AT - timedelta(seconds=1)) == []
    assert next_step(state, DEFAULT, WARN_AT - timedelta(seconds=1)) is None


def test_the_department_is_warned_once_the_share_of_the_commitment_is_used_P9B() -> None:
    state = given(*accepted())
    assert next_step(state, DEFAULT, WARN_AT) == c.WarnOrder()
    assert when(c.WarnOrder(), state, now=WARN_AT) == [
        ev.WorkOrderWarned(department=ENGINEERING, due_at=DUE, warn_at_share=0.8,
                           warned_at=WARN_AT)]


def test_an_order_is_warned_only_once_P9B() -> None:
    history = then_after(registered_and_dispatched(), c.WarnOrder(), WARN_AT)
    state = given(*history)
    assert state.warned
    assert when(c.WarnOrder(), state, now=WARN_AT + timedelta(hours=1)) == []
    assert next_step(state, DEFAULT, WARN_AT + timedelta(hours=1)) is None


def test_the_share_comes_from_the_policy_P9B() -> None:
    half = policy_changed(lambda data: data["alerts"].update(warn_at_share=0.5))
    state = given(*registered_and_dispatched())
    assert when(c.WarnOrder(), state, half, now=at(hours=12)) == [
        ev.WorkOrderWarned(department=ENGINEERING, due_at=DUE, warn_at_share=0.5,
                           warned_at=at(hours=12))]


def test_a_completed_order_is_not_warned_P9B() -> None:
    assert when(c.WarnOrder(), given(*completed(when_=at(hours=3))), now=WARN_AT) == []


def test_an_order_already_overdue_is_chased_not_warned_P9B() -> None:
    state = given(*assigned())
    assert when(c.WarnOrder(), state, now=DUE) == []
    assert next_step(state, DEFAULT, DUE) == c.ChaseOrder()


# ------------------------------------------------------------------ chases


def test_no_chase_before_the_due_time_P9B() -> None:
    assert when(c.ChaseOrder(), given(*assigned()), now=DUE - timedelta(seconds=1)) == []


def test_the_first_chase_comes_at_the_due_time_P9B() -> None:
    assert when(c.ChaseOrder(), given(*assigned()), now=DUE) == [chased(1, DUE)]


def test_a_chase_is_never_repeated_within_its_interval_P9B() -> None:
    history = then_after(assigned(), c.ChaseOrder(), DUE)
    for minutes in (0, 1, 59):
        assert when(c.ChaseOrder(), given(*history), now=DUE + timedelta(minutes=minutes)) == []


def test_the_second_chase_comes_after_the_interval_P9B() -> None:
    history = then_after(assigned(), c.ChaseOrder(), DUE)
    later = DUE + timedelta(minutes=60)
    history = then_after(history, c.ChaseOrder(), later)
    assert history[-1] == chased(2, later)
    state = given(*history)
    assert (state.chase_count, state.last_chase_number) == (2, 2)


def test_the_interval_comes_from_the_policy_P9B() -> None:
    quarter = policy_changed(lambda data: data["alerts"].update(chase_every_minutes=15))
    history = [*assigned(), *when(c.ChaseOrder(), given(*assigned()), quarter, DUE)]
    assert when(c.ChaseOrder(), given(*history), quarter, DUE + timedelta(minutes=14)) == []
    [second] = when(c.ChaseOrder(), given(*history), quarter, DUE + timedelta(minutes=15))
    assert isinstance(second, ev.WorkOrderChased) and second.number == 2


def test_after_downtime_one_chase_is_made_for_the_latest_due_number_P9B() -> None:
    # given: chased once at the due time, then the scheduler was away for five hours
    history = then_after(assigned(), c.ChaseOrder(), DUE)
    back = DUE + timedelta(hours=5, minutes=10)
    # when / then: one chase, number 6 (due at DUE + 5 h), not five in a row
    history = then_after(history, c.ChaseOrder(), back)
    assert history[-1] == chased(6, back)
    assert when(c.ChaseOrder(), given(*history), now=back) == []
    state = given(*history)
    assert (state.chase_count, state.last_chase_number) == (2, 6)
    # and the schedule carries on from there
    assert when(c.ChaseOrder(), given(*history), now=DUE + timedelta(hours=6)) == [
        chased(7, DUE + timedelta(hours=6))]


def test_a_completed_order_is_no_longer_chased_P9B() -> None:
    late = completed(when_=DUE + timedelta(hours=2))
    assert when(c.ChaseOrder(), given(*late), now=DUE + timedelta(hours=3)) == []


# ------------------------------------------------------------------ auto-close

COMPLETED_AT = at(hours=3)
SEVEN_DAYS_LATER = COMPLETED_AT + timedelta(days=7)


def test_a_completed_order_not_signed_off_is_not_closed_before_its_days_are_up() -> None:
    state = given(*completed(when_=COMPLETED_AT))
    assert when(c.AutoClose(), state, now=SEVEN_DAYS_LATER - timedelta(seconds=1)) == []
    assert next_step(state, DEFAULT, SEVEN_DAYS_LATER - timedelta(seconds=1)) is None


def test_a_completed_order_never_signed_off_closes_itself_not_rated() -> None:
    state = given(*completed(when_=COMPLETED_AT))
    assert next_step(state, DEFAULT, SEVEN_DAYS_LATER) == c.AutoClose()
    events = when(c.AutoClose(), state, now=SEVEN_DAYS_LATER)
    assert events == [ev.WorkOrderAutoClosed(department=ENGINEERING, completed_at=COMPLETED_AT,
                                             after_days=7, closed_at=SEVEN_DAYS_LATER)]
    after = given(*completed(when_=COMPLETED_AT), *events)
    assert (after.status, after.auto_closed, after.quality, after.attitude) == (
        "closed", True, None, None)
    assert when(c.AutoClose(), after, now=SEVEN_DAYS_LATER + timedelta(days=1)) == []


def test_the_days_come_from_the_policy() -> None:
    two = policy_changed(lambda data: data["alerts"].update(auto_close_after_days=2))
    state = given(*completed(when_=COMPLETED_AT))
    assert len(when(c.AutoClose(), state, two, COMPLETED_AT + timedelta(days=2))) == 1


@pytest.mark.parametrize("history", [closed(), assigned()], ids=["signed_off", "not_completed"])
def test_an_order_signed_off_or_not_completed_never_auto_closes(history: list[Any]) -> None:
    assert when(c.AutoClose(), given(*history), now=at(days=30)) == []
    assert next_step(given(*history), DEFAULT, at(days=30)) in (None, c.ChaseOrder())


# ------------------------------------------------------------------ the whole day, tick by tick


def test_a_scheduler_ticking_every_minute_warns_once_and_chases_hourly_P9B() -> None:
    history: list[Event] = list(assigned())
    now = at(0)
    while now <= DUE + timedelta(hours=3):
        step = next_step(given(*history), DEFAULT, now)
        if step is not None:
            history += when(step, given(*history), now=now)
        now += timedelta(minutes=1)
    made = [(e.type, getattr(e, "number", None)) for e in history
            if isinstance(e, ev.WorkOrderWarned | ev.WorkOrderChased)]
    assert made == [("workorder.warned", None), ("workorder.chased", 1),
                    ("workorder.chased", 2), ("workorder.chased", 3), ("workorder.chased", 4)]


def test_the_last_contact_with_the_customer_is_the_latest_follow_up_P9C() -> None:
    history = then_after(assigned(), c.RecordFollowUp(note="已告知进度"), at(hours=2))
    history = then_after(history, c.RecordFollowUp(note="再次告知"), at(hours=5))
    assert given(*history).last_customer_contact == at(hours=5)
    # a follow-up stored before the time was recorded leaves the last contact as it was
    old = ev.FollowUpRecorded(department=ENGINEERING, note="旧记录")
    assert given(*history, old).last_customer_contact == at(hours=5)
    assert Complaint().last_customer_contact is None


# ------------------------------------------------------------------ P-13: referred


def referred_at(moment: datetime) -> ev.ComplaintReferred:
    return ev.ComplaintReferred(organisation="自来水公司", contact="李工",
                                explanation="市政管道问题，已向业主解释", referred_at=moment)


def test_an_order_held_by_an_outside_body_is_neither_warned_nor_chased_P13() -> None:
    history = [*registered_and_dispatched(), referred_at(at(hours=1))]
    state = given(*history)
    assert when(c.WarnOrder(), state, now=WARN_AT) == []
    assert when(c.ChaseOrder(), state, now=DUE + timedelta(hours=3)) == []
    assert next_step(state, DEFAULT, DUE + timedelta(hours=3)) is None


def test_after_the_referral_the_chases_follow_the_moved_due_time_P13() -> None:
    history = then_after([*registered_and_dispatched(), referred_at(at(hours=1))],
                         c.ResolveReferral(outcome="对方已修复"), at(hours=11))
    state = given(*history)
    assert state.due_at == DUE + timedelta(hours=10)  # the clock stood still for 10 h
    assert when(c.ChaseOrder(), state, now=DUE + timedelta(hours=3)) == []
    assert next_step(state, DEFAULT, state.due_at) == c.ChaseOrder()
