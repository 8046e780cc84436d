"""P-17: corrective action with a deadline (限期整改) against a monthly report's alert.

Where the statistics show a problem (an alert of the monthly report, see
``analysis``), the manager records what will be done, who owns it and by
when; the action stays open, and listed in every later monthly report, until
the manager closes it with its outcome.

A corrective action is not a complaint: it has its own stream,
``action-<uuid>``, its own state and its own small decider. Pure, time passed
in; the local date ("today") is the policy's time zone's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from shared.domain import events as ev
from shared.domain.errors import DomainError, InvalidCommand, RuleViolation
from shared.events import Event

ActionStatus = Literal["new", "open", "closed"]


class UnknownCorrectiveAction(DomainError):
    """No corrective action with this id (HTTP 404)."""


# ------------------------------------------------------------------ commands


@dataclass(frozen=True)
class OpenCorrectiveAction:
    action_id: str
    alert: ev.AlertRef
    action: str
    owner: str
    deadline: date


@dataclass(frozen=True)
class CloseCorrectiveAction:
    outcome: str


ActionCommand = OpenCorrectiveAction | CloseCorrectiveAction


# ------------------------------------------------------------------ state


@dataclass(frozen=True)
class CorrectiveAction:
    action_id: str = ""
    status: ActionStatus = "new"
    version: int = 0
    opened: ev.CorrectiveActionOpened | None = None
    closed: ev.CorrectiveActionClosed | None = None

    def overdue(self, now: datetime, tz: ZoneInfo) -> bool:
        """Still open after its deadline day (local time)."""
        return (self.status == "open" and self.opened is not None
                and now.astimezone(tz).date() > self.opened.deadline)


def evolve(state: CorrectiveAction, event: Event) -> CorrectiveAction:
    state = replace(state, version=state.version + 1)
    match event:
        case ev.CorrectiveActionOpened():
            return replace(state, action_id=event.action_id, status="open", opened=event)
        case ev.CorrectiveActionClosed():
            return replace(state, status="closed", closed=event)
    return state


def fold(history: Iterable[Event], state: CorrectiveAction | None = None) -> CorrectiveAction:
    state = state or CorrectiveAction()
    for event in history:
        state = evolve(state, event)
    return state


# ------------------------------------------------------------------ decide


def decide(command: ActionCommand, state: CorrectiveAction, tz: ZoneInfo, now: datetime
           ) -> list[Event]:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    match command:
        case OpenCorrectiveAction():
            return _open(command, state, tz, now)
        case CloseCorrectiveAction():
            return _close(command, state, now)
    raise TypeError(f"not a corrective-action command: {command!r}")


def _open(command: OpenCorrectiveAction, state: CorrectiveAction, tz: ZoneInfo,
          now: datetime) -> list[Event]:
    if state.status != "new":
        raise RuleViolation("P-17", f"corrective action {state.action_id} was already recorded")
    today = now.astimezone(tz).date()
    if command.deadline < today:
        raise InvalidCommand("deadline", f"P-17: a deadline cannot be in the past "
                             f"(today is {today.isoformat()})")
    return [ev.CorrectiveActionOpened(action_id=command.action_id, alert=command.alert,
                                      action=command.action, owner=command.owner,
                                      deadline=command.deadline, opened_at=now)]


def _close(command: CloseCorrectiveAction, state: CorrectiveAction, now: datetime
           ) -> list[Event]:
    if state.status == "new":
        raise UnknownCorrectiveAction("no such corrective action")
    if state.status == "closed":
        raise RuleViolation("P-17", "the corrective action is already closed")
    return [ev.CorrectiveActionClosed(outcome=command.outcome, closed_at=now)]
