"""P-14: the policy changes over time; an order already dispatched is not rewritten or stranded."""

from __future__ import annotations

from typing import Any

from shared.domain import commands as c
from shared.domain import events as ev
from shared.policy import Policy
from tests.unit.given import at, completed, given, policy_changed, when

SIGN = c.SignOff(quality=5, attitude=4, signed_by="张三")


def without(category: str) -> Policy:
    def change(data: dict[str, Any]) -> None:
        del data["categories"][category]

    return policy_changed(change)


def test_an_order_whose_category_was_later_dropped_can_still_be_completed() -> None:
    # given: dispatched as facility damage; the policy no longer has that category
    policy = without("facility.damage")
    history = completed("facility.damage")[:-1]
    # when
    events = when(c.CompleteOrder(), given(*history), policy=policy, now=at(hours=3))
    # then
    assert events == [ev.WorkOrderCompleted(department="engineering", completed_at=at(hours=3))]


def test_an_order_whose_category_was_later_dropped_can_still_be_signed_off() -> None:
    # given
    policy = without("facility.damage")
    state = given(*completed("facility.damage"))
    # when
    events = when(SIGN, state, policy=policy, now=at(hours=6))
    # then
    assert events == [ev.WorkOrderSignedOff(department="engineering", quality=5, attitude=4,
                                            signed_by="张三", signed_off_at=at(hours=6))]
