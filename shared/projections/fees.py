"""The management-fee bill (管理费收费单, P-8): paid work charged with the regular fee.

One line per paid order whose quote the customer accepted, in the month (the
policy's time zone) its work was completed: its community, unit, the accepted
quote's lines and amount. A free order, a declined or never-answered quote and
work not yet completed have no line; a reopened order leaves the bill until
it is completed again, and then counts in the month of its final completion.

The ``fee_lines`` rows are written from each complaint's folded state
(``complaints``), like the other projections, so a rebuild equals the live
table. Amounts are decimal strings throughout, summed as :class:`Decimal`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from shared.domain.quotes import CENT
from shared.domain.state import Complaint
from shared.events import Envelope
from shared.eventstore.schema import fee_lines
from shared.policy import Policy
from shared.projections.complaints import states_after, upsert
from shared.projections.monthly import month_bounds

# The work is done: completed, or completed and signed off.
WORK_DONE = frozenset({"completed", "closed"})


class FeesProjection:
    name = "fees"
    tables: Sequence[sa.Table] = (fee_lines,)

    def apply(self, conn: sa.Connection, batch: Sequence[Envelope],
              tables: dict[str, sa.Table]) -> None:
        table = tables[fee_lines.name]
        rows: list[dict[str, Any]] = []
        gone: list[str] = []
        for complaint_id, state in states_after(conn, batch).items():
            row = fee_line(complaint_id, state)
            if row is None:
                gone.append(complaint_id)
            else:
                rows.append(row)
        if gone:
            conn.execute(sa.delete(table).where(table.c.complaint_id.in_(gone)))
        upsert(conn, table, rows)


def fee_line(complaint_id: str, state: Complaint) -> dict[str, Any] | None:
    """The bill's line for a complaint, or None while it has none (see the module)."""
    registration, quote = state.registration, state.quote
    if (registration is None or quote is None or state.quote_accepted_total is None
            or state.status not in WORK_DONE or state.completed_at is None):
        return None
    return {"complaint_id": complaint_id, "community": registration.community,
            "unit": registration.unit, "completed_at": state.completed_at,
            "items": [line.model_dump() for line in quote.lines],
            "amount": state.quote_accepted_total}


def fee_bill(conn: sa.Connection, policy: Policy, month: str, community: str | None = None
             ) -> dict[str, Any]:
    """The month's bill: its lines (by community, unit, completion) and their exact total."""
    start, end = month_bounds(month, policy)
    t = fee_lines
    query = (sa.select(t).where(t.c.completed_at >= start, t.c.completed_at < end)
             .order_by(t.c.community, t.c.unit, t.c.completed_at, t.c.complaint_id))
    if community is not None:
        query = query.where(t.c.community == community)
    lines = [{"community": row.community, "unit": row.unit, "complaint_id": row.complaint_id,
              "completed_at": row.completed_at, "items": row.items, "amount": row.amount}
             for row in conn.execute(query)]
    total = sum((Decimal(line["amount"]) for line in lines), Decimal("0")).quantize(CENT)
    return {"month": month, "timezone": policy.timezone, "community": community,
            "lines": lines, "total": str(total)}
