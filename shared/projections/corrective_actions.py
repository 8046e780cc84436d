"""Corrective actions (P-17) as the reports read them: folded from their own streams.

Corrective actions are few (a handful a month), so they are folded when read,
straight from the store (events of the two ``corrective_action.*`` types, by
the store's type index), and need no table: always current, and as of a past
moment by leaving out the events recorded after it.

Which actions a month's report lists (settled here; procedure.md leaves it
open): every action recorded against one of that month's alerts, and every
action recorded against an earlier month's alert that was open at some time
during the month: opened before the month ended and not closed before it
began. So an open action stays listed in every later month's report until it
is closed, and appears once more in the report of the month it was closed.
Each shows its status as at the report's moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from shared.domain import events as ev
from shared.domain.corrective_actions import CorrectiveAction, evolve
from shared.events import to_event
from shared.eventstore.schema import events
from shared.eventstore.store import envelope_of_row

STREAM_PREFIX = "action-"
TYPES = (ev.CorrectiveActionOpened.type, ev.CorrectiveActionClosed.type)
Listing = Literal["open", "closed", "all"]


def actions_as_of(conn: sa.Connection, moment: datetime | None = None
                  ) -> list[CorrectiveAction]:
    """Every corrective action, folded from its events recorded up to ``moment`` (or all)."""
    query = (sa.select(events).where(events.c.type.in_(TYPES))
             .order_by(events.c.position))
    if moment is not None:
        query = query.where(events.c.recorded_at <= moment)
    states: dict[str, CorrectiveAction] = {}
    for row in conn.execute(query):
        envelope = envelope_of_row(row)
        states[envelope.stream_id] = evolve(states.get(envelope.stream_id, CorrectiveAction()),
                                            to_event(envelope))
    opened = [s for s in states.values() if s.opened is not None]
    return sorted(opened, key=lambda s: (s.opened.opened_at, s.action_id)  # type: ignore[union-attr]
                  )


def listed(actions: Iterable[CorrectiveAction], status: Listing) -> list[CorrectiveAction]:
    return [a for a in actions if status == "all" or a.status == status]


def listed_in_month(actions: Iterable[CorrectiveAction], month: str, start: datetime,
                    end: datetime) -> list[CorrectiveAction]:
    """The actions a month's report lists (see the module's docstring)."""
    chosen = []
    for action in actions:
        opened, closed = action.opened, action.closed
        assert opened is not None
        this_month = opened.alert.month == month
        carried_over = (opened.alert.month < month and opened.opened_at < end
                        and (closed is None or closed.closed_at >= start))
        if this_month or carried_over:
            chosen.append(action)
    return chosen


def action_public(action: CorrectiveAction, now: datetime, tz: ZoneInfo) -> dict[str, Any]:
    opened, closed = action.opened, action.closed
    assert opened is not None
    return {"id": action.action_id, "status": action.status,
            "alert": opened.alert.model_dump(), "action": opened.action, "owner": opened.owner,
            "deadline": opened.deadline.isoformat(), "opened_at": opened.opened_at,
            "overdue": action.overdue(now, tz),
            "closed_at": closed.closed_at if closed else None,
            "outcome": closed.outcome if closed else None}
