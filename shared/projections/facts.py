"""Turning one event into column values, shared by the board and the monthly statistics."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from shared.domain import events as ev
from shared.domain.state import status_set_by
from shared.events import Envelope, Event, to_event


def complaint_id_of(envelope: Envelope) -> str:
    return envelope.stream_id.removeprefix("complaint-")


def changes(event: Event) -> dict[str, Any]:
    """Column values an event sets on a complaint's projection row."""
    values: dict[str, Any] = {}
    status = status_set_by(event)
    if status is not None:
        values["status"] = status
    match event:
        case ev.ComplaintRouted():
            values.update(category=event.category, department=event.department)
        case ev.WorkOrderDispatched():
            values.update(category=event.category, department=event.department,
                          dispatched_at=event.dispatched_at, due_at=event.due_at)
        case ev.TeamAssigned():
            values.update(team=event.team)
        case ev.WorkOrderCompleted():
            values.update(completed_at=event.completed_at)
        case ev.WorkOrderSignedOff():
            values.update(quality=event.quality, attitude=event.attitude)
        case ev.ComplaintEscalated():
            values.update(escalated=True)
    return values


def complaint_events(batch: Sequence[Envelope]) -> list[tuple[str, Event]]:
    return [(complaint_id_of(e), to_event(e))
            for e in batch if e.stream_id.startswith("complaint-")]


def apply_to_rows(
    conn: sa.Connection,
    table: sa.Table,
    batch: Sequence[Envelope],
    first_row: Callable[[ev.ComplaintRegistered], dict[str, Any]],
) -> None:
    """One row per complaint: inserted on registration, then updated by each later event."""
    for complaint_id, event in complaint_events(batch):
        if isinstance(event, ev.ComplaintRegistered):
            conn.execute(sa.insert(table).values(complaint_id=complaint_id, **first_row(event)))
            continue
        values = {k: v for k, v in changes(event).items() if k in table.c}
        if values:
            conn.execute(sa.update(table).where(table.c.complaint_id == complaint_id)
                         .values(**values))
