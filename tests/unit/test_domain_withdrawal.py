"""Withdrawal: the customer may withdraw a complaint until the department accepts the order."""

from __future__ import annotations

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import RuleViolation
from tests.unit.given import (
    accepted,
    assigned,
    awaiting_decision,
    awaiting_quote,
    closed,
    completed,
    declined,
    given,
    quoted,
    registered,
    registered_and_dispatched,
    when,
    withdrawn,
)

WITHDRAW = c.Withdraw(reason="业主自己修好了")


@pytest.mark.parametrize(
    "history",
    [[registered()], awaiting_decision(), awaiting_quote(), quoted(), registered_and_dispatched()],
    ids=["registered", "awaiting_decision", "awaiting_quote", "quoted", "dispatched"],
)
def test_a_complaint_not_yet_accepted_by_its_department_can_be_withdrawn(
    history: list[ev.Event],
) -> None:
    # when
    events = when(WITHDRAW, given(*history))
    # then
    assert events == [ev.ComplaintWithdrawn(reason="业主自己修好了")]
    assert given(*history, *events).status == "withdrawn"


@pytest.mark.parametrize(
    "history",
    [accepted(), assigned(), completed(), closed(), declined(), withdrawn()],
    ids=["accepted", "assigned", "completed", "closed", "declined", "withdrawn"],
)
def test_a_complaint_its_department_accepted_cannot_be_withdrawn(
    history: list[ev.Event],
) -> None:
    with pytest.raises(RuleViolation) as refused:
        when(WITHDRAW, given(*history))
    assert refused.value.rule in str(refused.value)
    assert "accept" in str(refused.value)
