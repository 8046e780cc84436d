"""P-11a: lost, missing or late mail is signed off only after the security head's mail-log check."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import RuleViolation
from shared.events import Event
from tests.unit.given import (
    accepted,
    assigned,
    at,
    closed,
    completed,
    given,
    registered_and_dispatched,
    when,
)

Steps = Callable[[str], list[Event]]
MAIL = "mail.lost_late"
CHECK = c.RecordMailCheck(checked="11月信报收发记录", finding="报纸误投至3-1503，已补投")
SIGN = c.SignOff(quality=5, attitude=5, signed_by="张三")


def test_lost_mail_cannot_be_signed_off_before_the_mail_log_check_P11a() -> None:
    # given
    state = given(*completed(MAIL))
    # when
    with pytest.raises(RuleViolation, match="P-11a") as refused:
        when(SIGN, state, now=at(hours=6))
    # then
    assert refused.value.rule == "P-11a"


@pytest.mark.parametrize("steps", [accepted, assigned, completed],
                         ids=["accepted", "assigned", "completed"])
def test_security_records_the_mail_log_check_once_it_has_the_order_P11a(steps: Steps) -> None:
    assert when(CHECK, given(*steps(MAIL))) == [
        ev.MailLogChecked(department="security", checked="11月信报收发记录",
                          finding="报纸误投至3-1503，已补投")
    ]


def test_after_the_mail_log_check_lost_mail_is_signed_off() -> None:
    # given
    history = completed(MAIL)
    history += when(CHECK, given(*history))
    # when
    events = when(SIGN, given(*history), now=at(hours=6))
    # then
    assert events == [ev.WorkOrderSignedOff(department="security", quality=5, attitude=5,
                                            signed_by="张三", signed_off_at=at(hours=6))]


def test_a_mail_log_check_before_completion_still_counts_at_sign_off() -> None:
    # given: checked while the team was on it, then completed
    history = assigned(MAIL)
    history += when(CHECK, given(*history))
    history += when(c.CompleteOrder(), given(*history), now=at(hours=3))
    # when
    events = when(SIGN, given(*history), now=at(hours=6))
    # then
    assert [type(e) for e in events] == [ev.WorkOrderSignedOff]


def test_a_mail_log_check_on_a_complaint_that_is_not_about_mail_is_refused_naming_P11a() -> None:
    with pytest.raises(RuleViolation, match="P-11a") as refused:
        when(CHECK, given(*completed("repair.common_area")))
    assert refused.value.rule == "P-11a"
    assert "repair.common_area" in str(refused.value)


@pytest.mark.parametrize("steps", [registered_and_dispatched, closed],
                         ids=["dispatched", "closed"])
def test_a_mail_log_check_on_an_order_security_does_not_hold_is_refused(steps: Steps) -> None:
    with pytest.raises(RuleViolation, match="P-11a"):
        when(CHECK, given(*steps(MAIL)))


def test_other_categories_are_signed_off_without_any_mail_log_check() -> None:
    events = when(SIGN, given(*completed("security.safety")))
    assert [type(e) for e in events] == [ev.WorkOrderSignedOff]
