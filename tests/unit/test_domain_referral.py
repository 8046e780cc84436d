"""P-13: an outside body holds the complaint; the commitment clock stops between referral
and resolve, and the due time moves out by the time stopped."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.timeliness import due_as_of, judge
from tests.unit.given import (
    accepted,
    assigned,
    at,
    awaiting_quote,
    completed,
    given,
    registered,
    registered_and_dispatched,
    when,
)

DUE = at(hours=24)  # repair.common_area: 24 h from dispatch at T0

REFER = c.ReferComplaint(organisation="自来水公司", contact="李工 0755-12345678",
                         explanation="主水管属自来水公司，已联系其抢修")


def referred(history: list | None = None, hours: float = 2) -> list:
    return [*(history or assigned()),
            ev.ComplaintReferred(organisation="自来水公司", contact="李工 0755-12345678",
                                 explanation="主水管属自来水公司，已联系其抢修",
                                 referred_at=at(hours=hours))]


@pytest.mark.parametrize("history", [registered_and_dispatched(), accepted(), assigned()],
                         ids=["dispatched", "accepted", "assigned"])
def test_a_dispatched_order_is_referred_to_the_other_organisation_P13(history: list) -> None:
    # when the desk refers it, having explained to the complainant
    events = when(REFER, given(*history), now=at(hours=2))
    # then the referral is recorded with its moment: the clock stops there
    assert events == referred(history)[-1:]
    state = given(*history, *events)
    assert state.clock_stopped_since == at(hours=2)
    assert state.first_referred_at == at(hours=2)
    assert state.due_at == DUE  # not moved yet


@pytest.mark.parametrize("history", [[registered()], awaiting_quote(), completed()],
                         ids=["registered", "awaiting_quote", "completed"])
def test_only_a_dispatched_order_not_yet_completed_is_referred_P13(history: list) -> None:
    with pytest.raises(RuleViolation, match=r"^P-13: only a dispatched order"):
        when(REFER, given(*history))


def test_one_open_referral_at_a_time_P13() -> None:
    with pytest.raises(RuleViolation, match=r"^P-13: already referred to 自来水公司"):
        when(REFER, given(*referred()), now=at(hours=3))


@pytest.mark.parametrize("field", ["organisation", "contact", "explanation"])
def test_a_referral_names_the_organisation_contact_and_explanation(field: str) -> None:
    blank = {"organisation": "x", "contact": "x", "explanation": "x", field: " "}
    with pytest.raises(InvalidCommand) as refused:
        when(c.ReferComplaint(**blank), given(*assigned()))
    assert refused.value.field == field


def test_liaison_notes_are_kept_while_referred_P13() -> None:
    events = when(c.NoteReferral(note="自来水公司答复明早到场"), given(*referred()),
                  now=at(hours=3))
    assert events == [ev.ReferralNoted(note="自来水公司答复明早到场", noted_at=at(hours=3))]
    assert given(*referred(), *events).referral_notes == ("自来水公司答复明早到场",)


def test_notes_and_resolve_need_an_open_referral_P13() -> None:
    with pytest.raises(RuleViolation, match=r"^P-13: cannot note liaison"):
        when(c.NoteReferral(note="x"), given(*assigned()))
    with pytest.raises(RuleViolation, match=r"^P-13: cannot resolve a referral"):
        when(c.ResolveReferral(outcome="x"), given(*assigned()))


def test_resolving_moves_the_due_time_out_by_the_time_stopped_P13() -> None:
    # given referred at T0+2h, when resolved at T0+32h30m (30.5 h stopped)
    events = when(c.ResolveReferral(outcome="自来水公司已修复主水管"), given(*referred()),
                  now=at(hours=32.5))
    # then the event records the time stopped and the new due time
    assert events == [ev.ReferralResolved(
        outcome="自来水公司已修复主水管", referred_at=at(hours=2), resolved_at=at(hours=32.5),
        stopped_seconds=30.5 * 3600, stopped_minutes="1830.00", previous_due_at=DUE,
        due_at=DUE + timedelta(hours=30.5))]
    state = given(*referred(), *events)
    assert (state.due_at, state.clock_stopped_since) == (at(hours=54.5), None)
    assert state.first_referred_at == at(hours=2)  # it was referred, for the month's count


def test_the_due_time_moves_whatever_set_it_even_a_booked_time_P13() -> None:
    booked = [registered(category="repair.common_area", appointment_end=at(hours=5)),
              *registered_and_dispatched()[1:2],
              registered_and_dispatched()[2].model_copy(update={"due_at": at(hours=5),
                                                                "due_basis": "appointment"})]
    history = referred(booked, hours=1)
    events = when(c.ResolveReferral(outcome="ok"), given(*history), now=at(hours=7))
    assert given(*history, *events).due_at == at(hours=11)


def test_while_referred_the_order_does_not_turn_late_P13() -> None:
    # referred at T0+2h, the 24 h due time passes while the outside body holds it
    state = given(*referred())
    now = at(hours=40)
    assert due_as_of(state.due_at, state.clock_stopped_since, now) == DUE + timedelta(hours=38)
    assert judge(state.status, state.due_at, state.completed_at, now,
                 state.clock_stopped_since) == "pending"
    # without the stopped clock it would be late
    assert judge(state.status, state.due_at, state.completed_at, now) == "late"


def test_an_order_already_late_when_referred_stays_late_P13() -> None:
    state = given(*referred(hours=30))  # referred 6 h after its due time
    assert judge(state.status, state.due_at, None, at(hours=31), state.clock_stopped_since
                 ) == "late"


def test_the_order_is_not_completed_while_referred_P13() -> None:
    with pytest.raises(RuleViolation, match=r"^P-13: cannot complete the order while 自来水公司"):
        when(c.CompleteOrder(), given(*referred()), now=at(hours=3))


def test_after_resolve_the_order_completes_against_the_moved_due_time_P13() -> None:
    history = [*referred(), ev.ReferralResolved(
        outcome="ok", referred_at=at(hours=2), resolved_at=at(hours=12), stopped_seconds=36000,
        stopped_minutes="600.00", previous_due_at=DUE, due_at=DUE + timedelta(hours=10))]
    history += when(c.CompleteOrder(), given(*history), now=at(hours=30))
    state = given(*history)
    assert judge(state.status, state.due_at, state.completed_at, at(hours=40)) == "timely"


def test_a_second_referral_after_the_first_is_resolved_P13() -> None:
    history = [*referred(), ev.ReferralResolved(
        outcome="ok", referred_at=at(hours=2), resolved_at=at(hours=3), stopped_seconds=3600,
        stopped_minutes="60.00", previous_due_at=DUE, due_at=DUE + timedelta(hours=1))]
    events = when(REFER, given(*history), now=at(hours=4))
    state = given(*history, *events)
    assert state.clock_stopped_since == at(hours=4)
    assert state.first_referred_at == at(hours=2)
