"""P-17: corrective action with a deadline (限期整改), given / when / then on its own stream."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from shared.domain import events as ev
from shared.domain.corrective_actions import (
    CloseCorrectiveAction,
    CorrectiveAction,
    OpenCorrectiveAction,
    UnknownCorrectiveAction,
    decide,
    fold,
)
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.events import Event
from tests.unit.given import SHANGHAI, T0, at

AID = "5d7a3a8e-0a51-4d1c-8f0e-2c0d3b1e9a77"
WHAT = "水电班每日晨会复盘超时工单"
ALERT = ev.AlertRef(kind="timely_rate_drop", scope="department", id="engineering",
                    month="2026-10")


def given(*events: Event) -> CorrectiveAction:
    return fold(events)


def when(command: OpenCorrectiveAction | CloseCorrectiveAction, state: CorrectiveAction,
         now: datetime = T0) -> list[Event]:
    return decide(command, state, SHANGHAI, now)


def open_command(deadline: date = date(2026, 12, 15)) -> OpenCorrectiveAction:
    return OpenCorrectiveAction(action_id=AID, alert=ALERT, action=WHAT,
                                owner="工程部经理", deadline=deadline)


def opened(deadline: date = date(2026, 12, 15)) -> ev.CorrectiveActionOpened:
    return ev.CorrectiveActionOpened(action_id=AID, alert=ALERT, action=WHAT,
                                     owner="工程部经理", deadline=deadline, opened_at=T0)


def test_the_manager_records_an_action_against_an_alert_with_an_owner_and_a_deadline() -> None:
    assert when(open_command(), given()) == [opened()]
    state = given(opened())
    assert (state.status, state.action_id, state.opened) == ("open", AID, opened())


def test_a_deadline_today_is_allowed_and_one_already_past_is_refused_naming_deadline() -> None:
    today = T0.astimezone(SHANGHAI).date()
    assert when(open_command(deadline=today), given()) == [opened(deadline=today)]
    with pytest.raises(InvalidCommand) as refused:
        when(open_command(deadline=date(2026, 11, 28)), given())
    assert refused.value.field == "deadline"


def test_an_action_is_recorded_once() -> None:
    with pytest.raises(RuleViolation) as refused:
        when(open_command(), given(opened()))
    assert refused.value.rule == "P-17"


def test_closing_records_the_outcome_and_ends_the_action() -> None:
    events = when(CloseCorrectiveAction(outcome="11月及时率回到92%"), given(opened()),
                  now=at(days=10))
    assert events == [ev.CorrectiveActionClosed(outcome="11月及时率回到92%",
                                                closed_at=at(days=10))]
    assert given(opened(), *events).status == "closed"


def test_a_closed_action_cannot_be_closed_again_P17() -> None:
    closed = ev.CorrectiveActionClosed(outcome="done", closed_at=at(days=1))
    with pytest.raises(RuleViolation) as refused:
        when(CloseCorrectiveAction(outcome="again"), given(opened(), closed))
    assert refused.value.rule == "P-17"


def test_an_action_never_recorded_is_unknown() -> None:
    with pytest.raises(UnknownCorrectiveAction):
        when(CloseCorrectiveAction(outcome="done"), given())


def test_an_open_action_is_overdue_only_after_its_deadline_day_local_time() -> None:
    state = given(opened(deadline=date(2026, 12, 15)))
    assert not state.overdue(datetime(2026, 12, 15, 23, 59, tzinfo=SHANGHAI), SHANGHAI)
    assert state.overdue(datetime(2026, 12, 16, 0, 0, tzinfo=SHANGHAI), SHANGHAI)
    closed = given(opened(), ev.CorrectiveActionClosed(outcome="done", closed_at=at(days=1)))
    assert not closed.overdue(datetime(2027, 1, 1, tzinfo=SHANGHAI), SHANGHAI)
