"""The call list (P-4, form 7.2): one row per recorded call, read a day at a time.

A call is recorded once and never changes, so each ``call.recorded`` event
inserts its row; complaint events pass by. One day's calls, in the policy's
time zone, are a range of the table's primary key (it leads with the time).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shared.domain.events import CallRecorded
from shared.events import Envelope, to_event
from shared.eventstore.engines import is_postgres
from shared.eventstore.schema import calls


class CallsProjection:
    name = "calls"
    tables: Sequence[sa.Table] = (calls,)

    def apply(self, conn: sa.Connection, batch: Sequence[Envelope],
              tables: dict[str, sa.Table]) -> None:
        rows = [call_row(e) for e in batch if e.type == CallRecorded.type]
        if not rows:
            return
        insert = pg_insert if is_postgres(conn) else sqlite_insert
        # Each event is applied once (the runner's position); a repeat would change nothing.
        conn.execute(insert(tables[calls.name]).on_conflict_do_nothing(), rows)


def call_row(envelope: Envelope) -> dict[str, Any]:
    call = to_event(envelope)  # through any upcaster, as every reader does
    assert isinstance(call, CallRecorded)
    return {"received_at": call.received_at, "call_id": call.call_id, "caller": call.caller,
            "phone": call.phone, "received_by": call.received_by, "summary": call.summary,
            "complaint_id": call.complaint_id, "recorded_by": envelope.metadata.actor}


def list_calls(conn: sa.Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The calls received in [start, end), in the order they came in."""
    t = calls
    query = (sa.select(t).where(t.c.received_at >= start, t.c.received_at < end)
             .order_by(t.c.received_at, t.c.call_id))
    return [dict(row) for row in conn.execute(query).mappings()]
