"""Finding complaints (intake's GET /complaints): every complaint, in every status.

One row per registered complaint, written from its folded state
(``complaints``), from registration on: a complaint awaiting the paid/free
decision or a quote is on no board, but it is here. :func:`find_complaints`
filters by unit, phone (the full number or its last four digits), status,
community, category, department and registration time, newest first, a page
at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shared.domain.state import Complaint
from shared.events import Envelope
from shared.eventstore.schema import complaint_index
from shared.projections.complaints import apply_folded

# A search by this many digits matches the end of the number, not the whole of it.
LAST_DIGITS = 4


class ComplaintIndexProjection:
    name = "complaint_index"
    tables: Sequence[sa.Table] = (complaint_index,)

    def apply(self, conn: sa.Connection, batch: Sequence[Envelope],
              tables: dict[str, sa.Table]) -> None:
        apply_folded(conn, tables[complaint_index.name], batch, index_row)


def digits_of(phone: str) -> str:
    """The digits of a phone number as written (``0755-86001234`` -> ``075586001234``)."""
    return "".join(ch for ch in phone if ch.isdigit())


def index_row(complaint_id: str, state: Complaint) -> dict[str, Any]:
    """A registered complaint's row in the index."""
    registration = state.registration
    assert registration is not None, "only registered complaints have rows"
    digits = digits_of(registration.phone)
    return {"complaint_id": complaint_id, "registered_at": registration.registered_at,
            "channel": registration.channel, "community": registration.community,
            "unit": registration.unit, "customer_name": registration.customer_name,
            "phone": registration.phone, "phone_digits": digits,
            "phone_last4": digits[-LAST_DIGITS:], "category": state.category,
            "department": state.department, "status": state.status,
            "severity": registration.severity, "dispatched_at": state.dispatched_at,
            "due_at": state.due_at, "completed_at": state.completed_at}


@dataclass(frozen=True)
class ComplaintSearch:
    """What to look for; ``None`` leaves a criterion out.

    ``phone`` is digits only: :data:`LAST_DIGITS` of them match the number's
    end, more match the whole number. ``registered_from`` is inclusive,
    ``registered_before`` exclusive.
    """

    unit: str | None = None
    phone: str | None = None
    status: str | None = None
    community: str | None = None
    category: str | None = None
    department: str | None = None
    registered_from: datetime | None = None
    registered_before: datetime | None = None
    limit: int = 50
    offset: int = 0


def _conditions(search: ComplaintSearch) -> list[sa.ColumnElement[bool]]:
    t = complaint_index
    conditions: list[sa.ColumnElement[bool]] = []
    equal = {"unit": search.unit, "status": search.status, "community": search.community,
             "category": search.category, "department": search.department}
    for name, value in equal.items():
        if value is not None:
            conditions.append(t.c[name] == value)
    if search.phone is not None:
        column = t.c.phone_last4 if len(search.phone) == LAST_DIGITS else t.c.phone_digits
        conditions.append(column == search.phone)
    if search.registered_from is not None:
        conditions.append(t.c.registered_at >= search.registered_from)
    if search.registered_before is not None:
        conditions.append(t.c.registered_at < search.registered_before)
    return conditions


def find_complaints(conn: sa.Connection, search: ComplaintSearch
                    ) -> tuple[list[dict[str, Any]], int]:
    """One page of the matching complaints, newest first, and how many match in all."""
    t = complaint_index
    conditions = _conditions(search)
    total = conn.execute(sa.select(sa.func.count()).select_from(t).where(*conditions)
                         ).scalar_one()
    query = (sa.select(t).where(*conditions)
             .order_by(t.c.registered_at.desc(), t.c.complaint_id.desc())
             .limit(search.limit).offset(search.offset))
    return [summary_of(dict(row)) for row in conn.execute(query).mappings()], int(total)


def summary_of(row: dict[str, Any]) -> dict[str, Any]:
    """A row as the search answers it (the digits kept for matching stay inside)."""
    return {key: value for key, value in row.items()
            if key not in ("phone_digits", "phone_last4")}
