"""The open-order board (tracker): every order from dispatch until closed.

Each row is written from the complaint's folded state (``complaints``); rows
exist from registration, and the board lists a row once it has been
dispatched. ``overdue`` and the time left are computed against the moment of
reading, never stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shared.domain.state import ON_THE_BOARD, Complaint
from shared.domain.timeliness import due_as_of
from shared.events import Envelope
from shared.eventstore.schema import board_orders
from shared.projections.complaints import apply_folded

NOT_COMPLETED = ("dispatched", "accepted", "assigned")


class BoardProjection:
    name = "board"
    tables: Sequence[sa.Table] = (board_orders,)

    def apply(self, conn: sa.Connection, batch: Sequence[Envelope],
              tables: dict[str, sa.Table]) -> None:
        apply_folded(conn, tables[board_orders.name], batch, order_row)


def order_row(complaint_id: str, state: Complaint) -> dict[str, Any]:
    """A registered complaint's row on the board."""
    registration = state.registration
    assert registration is not None, "only registered complaints have rows"
    return {"complaint_id": complaint_id, "community": registration.community,
            "unit": registration.unit, "category": state.category,
            "department": state.department, "description": registration.description,
            "status": state.status, "team": state.team,
            "registered_at": registration.registered_at, "dispatched_at": state.dispatched_at,
            "due_at": state.due_at, "completed_at": state.completed_at,
            "escalated": state.escalated,  # P-12
            "clock_stopped_since": state.clock_stopped_since,  # P-13
            # --- P-9 B warnings and chases
            "warned": state.warned, "chase_count": state.chase_count,
            "last_chase_number": state.last_chase_number,
            "last_customer_contact": state.last_customer_contact}


def list_orders(
    conn: sa.Connection, now: datetime, *, view: str = "open", department: str | None = None,
    community: str | None = None,
) -> list[dict[str, Any]]:
    """Orders sorted by time left before breach (soonest due first)."""
    t = board_orders
    query = sa.select(t).where(t.c.dispatched_at.is_not(None))
    if view == "open":
        query = query.where(t.c.status.in_(ON_THE_BOARD))
    elif view == "overdue":
        query = query.where(t.c.status.in_(NOT_COMPLETED), t.c.due_at < now)
    if department is not None:
        query = query.where(t.c.department == department)
    if community is not None:
        query = query.where(t.c.community == community)
    query = query.order_by(t.c.due_at, t.c.dispatched_at)
    orders = [_public(dict(row._mapping), now) for row in conn.execute(query)]
    # P-13: a referral stops the clock, so the time left is not the stored due time's.
    orders.sort(key=lambda order: order["minutes_left"])  # stable: SQL order on ties
    return [o for o in orders if o["overdue"]] if view == "overdue" else orders


def _public(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    # P-13: while referred the clock stands still, so the due time counts as extended.
    judged_due = due_as_of(row["due_at"], row["clock_stopped_since"], now)
    assert judged_due is not None, "the board lists dispatched orders only"
    overdue = row["status"] in NOT_COMPLETED and now > judged_due
    return {
        "complaint_id": row["complaint_id"],
        "community": row["community"],
        "unit": row["unit"],
        "category": row["category"],
        "department": row["department"],
        "description": row["description"],
        "status": row["status"],
        "team": row["team"],
        "dispatched_at": row["dispatched_at"],
        "due_at": row["due_at"],
        "completed_at": row["completed_at"],
        "overdue": overdue,
        "escalated": row["escalated"],  # P-12: a serious complaint reported to leadership
        "minutes_left": round((judged_due - now).total_seconds() / 60, 1),
        "clock_stopped_since": row["clock_stopped_since"],
        # --- P-9 B warnings and chases
        "warned": row["warned"],
        "chase_count": row["chase_count"],
        "last_customer_contact": row["last_customer_contact"],
    }


# --- P-9 B warnings and chases: the scheduler's candidates


@dataclass(frozen=True)
class OrderOnTheBoard:
    """The facts of an open order the chase scheduler decides on (``chasing.OrderFacts``)."""

    complaint_id: str
    status: str
    dispatched_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None
    warned: bool
    last_chase_number: int
    clock_stopped_since: datetime | None  # P-13: referred, the clock stands still


def open_orders(conn: sa.Connection) -> list[OrderOnTheBoard]:
    """Every dispatched order not yet closed: those a warning, chase or auto-close may concern."""
    t = board_orders
    query = (sa.select(t.c.complaint_id, t.c.status, t.c.dispatched_at, t.c.due_at,
                       t.c.completed_at, t.c.warned, t.c.last_chase_number,
                       t.c.clock_stopped_since)
             .where(t.c.dispatched_at.is_not(None), t.c.status.in_(ON_THE_BOARD))
             .order_by(t.c.due_at, t.c.complaint_id))
    return [OrderOnTheBoard(**row._mapping) for row in conn.execute(query)]
