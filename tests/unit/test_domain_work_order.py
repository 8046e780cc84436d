"""P-9, P-15: the work order in its department, from dispatch to the customer's sign-off."""

from __future__ import annotations

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import InvalidCommand, RuleViolation
from tests.unit.given import (
    T0,
    accepted,
    assigned,
    at,
    awaiting_decision,
    awaiting_quote,
    closed,
    completed,
    declined,
    given,
    registered,
    registered_and_dispatched,
    when,
    withdrawn,
)

# ------------------------------------------------------------------ the happy path


def test_the_department_accepts_a_dispatched_order_P9() -> None:
    assert when(c.AcceptOrder(), given(*registered_and_dispatched())) == [
        ev.WorkOrderAccepted(department="engineering")
    ]


def test_the_department_assigns_an_accepted_order_to_a_team_P9() -> None:
    assert when(c.AssignTeam(team="水电班"), given(*accepted())) == [
        ev.TeamAssigned(department="engineering", team="水电班")
    ]


def test_an_assigned_order_may_be_given_to_another_team() -> None:
    # given
    history = assigned(team="水电班")
    # when
    events = when(c.AssignTeam(team=" 土建班 "), given(*history))
    # then
    assert events == [ev.TeamAssigned(department="engineering", team="土建班")]
    assert given(*history, *events).team == "土建班"


def test_a_team_without_a_name_is_refused() -> None:
    with pytest.raises(InvalidCommand, match="P-9") as refused:
        when(c.AssignTeam(team="  "), given(*accepted()))
    assert refused.value.field == "team"


def test_the_team_completes_the_order_at_the_time_it_says_so() -> None:
    assert when(c.CompleteOrder(note="换了阀门"), given(*assigned()), now=at(hours=5)) == [
        ev.WorkOrderCompleted(department="engineering", note="换了阀门", completed_at=at(hours=5))
    ]


def test_the_customer_signs_off_and_rates_the_completed_order_P15() -> None:
    # given
    history = completed()
    # when
    events = when(c.SignOff(quality=4, attitude=5, signed_by="张三", comment="很及时"),
                  given(*history), now=at(hours=6))
    # then
    assert events == [
        ev.WorkOrderSignedOff(department="engineering", quality=4, attitude=5,
                              signed_by="张三", comment="很及时", signed_off_at=at(hours=6))
    ]


def test_the_sign_off_closes_the_order_with_its_ratings() -> None:
    # given
    history = completed()
    # when
    history += when(c.SignOff(quality=3, attitude=4, signed_by="张三"), given(*history))
    # then
    state = given(*history)
    assert (state.status, state.quality, state.attitude) == ("closed", 3, 4)


@pytest.mark.parametrize("rating", [1, 5])
def test_ratings_at_either_end_of_the_scale_are_accepted(rating: int) -> None:
    events = when(c.SignOff(quality=rating, attitude=rating, signed_by="张三"),
                  given(*completed()))
    assert len(events) == 1


@pytest.mark.parametrize("field", ["quality", "attitude"])
@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused_naming_it_P15(field: str, rating: int) -> None:
    ratings = {"quality": 5, "attitude": 5, field: rating}
    with pytest.raises(InvalidCommand, match="P-15") as refused:
        when(c.SignOff(signed_by="张三", **ratings), given(*completed()))
    assert refused.value.field == field


# ------------------------------------------------------------- out of order


def test_completing_an_order_straight_after_accepting_it_is_refused_naming_P9() -> None:
    # given: accepted, but no team assigned
    state = given(*accepted())
    # when
    with pytest.raises(RuleViolation, match="P-9") as refused:
        when(c.CompleteOrder(), state)
    # then
    assert refused.value.rule == "P-9"
    assert "team" in str(refused.value)


SIGN = c.SignOff(quality=5, attitude=5, signed_by="张三")

OUT_OF_ORDER = [
    # (status the order is in, its history, the step, the rule named)
    ("registered", [registered()], c.AcceptOrder(), "P-9"),
    ("awaiting_decision", awaiting_decision(), c.AcceptOrder(), "P-9"),
    ("awaiting_quote", awaiting_quote(), c.AcceptOrder(), "P-9"),
    ("accepted", accepted(), c.AcceptOrder(), "P-9"),
    ("completed", completed(), c.AcceptOrder(), "P-9"),
    ("closed", closed(), c.AcceptOrder(), "P-9"),
    ("withdrawn", withdrawn(), c.AcceptOrder(), "P-9"),
    ("registered", [registered()], c.AssignTeam(team="水电班"), "P-9"),
    ("dispatched", registered_and_dispatched(), c.AssignTeam(team="水电班"), "P-9"),
    ("completed", completed(), c.AssignTeam(team="水电班"), "P-9"),
    ("closed", closed(), c.AssignTeam(team="水电班"), "P-9"),
    ("dispatched", registered_and_dispatched(), c.CompleteOrder(), "P-9"),
    ("accepted", accepted(), c.CompleteOrder(), "P-9"),
    ("completed", completed(), c.CompleteOrder(), "P-9"),
    ("closed", closed(), c.CompleteOrder(), "P-9"),
    ("declined", declined(), c.CompleteOrder(), "P-9"),
    ("dispatched", registered_and_dispatched(), SIGN, "P-15"),
    ("accepted", accepted(), SIGN, "P-15"),
    ("assigned", assigned(), SIGN, "P-15"),
    ("closed", closed(), SIGN, "P-15"),
    ("withdrawn", withdrawn(), SIGN, "P-15"),
]


@pytest.mark.parametrize(
    ("status", "history", "command", "rule"),
    OUT_OF_ORDER,
    ids=[f"{type(cmd).__name__} when {status}" for status, _, cmd, _ in OUT_OF_ORDER],
)
def test_every_step_out_of_order_is_refused_naming_its_rule(
    status: str, history: list[ev.Event], command: c.Command, rule: str
) -> None:
    # given
    state = given(*history)
    assert state.status == status
    # when
    with pytest.raises(RuleViolation) as refused:
        when(command, state, now=at(hours=8))
    # then
    assert refused.value.rule == rule
    assert rule in str(refused.value)
    assert status in str(refused.value)


def test_a_bad_rating_on_an_order_not_yet_completed_is_refused_for_the_order_first() -> None:
    with pytest.raises(RuleViolation, match="P-15"):
        when(c.SignOff(quality=0, attitude=9, signed_by="张三"), given(*assigned()))


# ------------------------------------------------------------ P-9 C: follow-ups


@pytest.mark.parametrize(
    ("history", "department"),
    [
        ([registered()], None),
        (awaiting_decision(), "engineering"),
        (awaiting_quote(), "customer_service"),
        (registered_and_dispatched(), "engineering"),
        (accepted(), "engineering"),
        (assigned(), "engineering"),
        (completed(), "engineering"),
    ],
    ids=["registered", "awaiting_decision", "awaiting_quote", "dispatched", "accepted",
         "assigned", "completed"],
)
def test_customer_service_may_follow_up_while_the_complaint_is_open_P9(
    history: list[ev.Event], department: str | None
) -> None:
    assert when(c.RecordFollowUp(note="已电话告知业主进度"), given(*history)) == [
        ev.FollowUpRecorded(department=department, note="已电话告知业主进度", followed_up_at=T0)
    ]


@pytest.mark.parametrize(
    "history", [closed(), withdrawn(), declined()], ids=["closed", "withdrawn", "declined"]
)
def test_a_follow_up_on_a_finished_complaint_is_refused_naming_P9(
    history: list[ev.Event],
) -> None:
    with pytest.raises(RuleViolation, match="P-9") as refused:
        when(c.RecordFollowUp(note="再问一下"), given(*history))
    assert refused.value.rule == "P-9"


def test_a_follow_up_changes_nothing_but_the_history() -> None:
    # given
    history = accepted()
    before = given(*history)
    # when
    after = given(*history, *when(c.RecordFollowUp(note="催办"), before))
    # then
    assert (after.status, after.due_at, after.team) == (before.status, before.due_at, before.team)
    assert after.version == before.version + 1
