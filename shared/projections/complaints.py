"""Each complaint's state as the domain folds it: what every projection builds its rows from.

There is one mapping from events to a complaint's status and facts, the
domain's ``evolve``. A projection applying a batch folds each complaint the
batch touches, its earlier events read from the store and the batch's on top
(a stream that starts within the batch needs no read), and writes one row per
complaint from the resulting :class:`Complaint`: so a rebuild and a live
catch-up, however they cut the history into batches, write the same rows.
The monthly report as of a past moment folds the streams up to that moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shared.domain.events import stream_id_of
from shared.domain.state import Complaint, evolve
from shared.events import Envelope, to_event
from shared.eventstore.engines import is_postgres
from shared.eventstore.schema import events
from shared.eventstore.store import envelope_of_row

STREAM_PREFIX = "complaint-"
# Streams read per query: well under any backend's limit on bound parameters.
STREAMS_PER_QUERY = 400

# A projection's row for one registered complaint: (complaint id, state) -> column values.
RowOf = Callable[[str, Complaint], dict[str, Any]]


def complaint_id_of(stream_id: str) -> str:
    return stream_id.removeprefix(STREAM_PREFIX)


def states_after(conn: sa.Connection, batch: Sequence[Envelope]) -> dict[str, Complaint]:
    """Each registered complaint the batch touches, folded through the batch's last event."""
    touched = [(complaint_id_of(e.stream_id), e) for e in batch
               if e.stream_id.startswith(STREAM_PREFIX)]
    first_versions: dict[str, int] = {}
    for complaint_id, envelope in touched:
        first_versions.setdefault(complaint_id, envelope.version)
    continued = [i for i, version in first_versions.items() if version > 1]
    # A batch is every event between its first and last positions: a stream's
    # events before the batch are exactly those at lower positions.
    earlier = events.c.position < batch[0].position if batch else sa.false()
    states = _fold_streams(conn, continued, earlier, None)
    for complaint_id, envelope in touched:
        states[complaint_id] = evolve(states.get(complaint_id, Complaint()), to_event(envelope))
    return _registered(states)


def states_as_of(conn: sa.Connection, complaint_ids: Sequence[str],
                 moment: datetime) -> dict[str, Complaint]:
    """Each complaint as it stood at ``moment``: its events up to the first one after it.

    The cut is each event's ``recorded_at``: what the store knew at that moment
    (the issue's words: "events recorded after it ignored"). The store stamps it
    with the service's injected clock, the clock that judges late and pending
    too, so ``as_of`` = now is the live report; an event written later with an
    earlier ``occurred_at`` (a back-dated correction) is still left out.
    """
    return _registered(_fold_streams(conn, complaint_ids, sa.true(), moment))


def _fold_streams(conn: sa.Connection, complaint_ids: Sequence[str],
                  condition: sa.ColumnElement[bool],
                  until: datetime | None) -> dict[str, Complaint]:
    states: dict[str, Complaint] = {}
    stopped: set[str] = set()
    for chunk in _chunks(complaint_ids, STREAMS_PER_QUERY):
        query = (sa.select(events)
                 .where(events.c.stream_id.in_([stream_id_of(i) for i in chunk]), condition)
                 .order_by(events.c.stream_id, events.c.version))
        for row in conn.execute(query):
            envelope = envelope_of_row(row)
            complaint_id = complaint_id_of(envelope.stream_id)
            if complaint_id in stopped:
                continue
            if until is not None and (envelope.recorded_at or envelope.occurred_at) > until:
                stopped.add(complaint_id)  # a stream stands as a prefix, never with gaps
                continue
            states[complaint_id] = evolve(states.get(complaint_id, Complaint()),
                                          to_event(envelope))
    return states


def _registered(states: dict[str, Complaint]) -> dict[str, Complaint]:
    return {i: s for i, s in states.items() if s.registration is not None}


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def apply_folded(conn: sa.Connection, table: sa.Table, batch: Sequence[Envelope],
                 row_of: RowOf) -> None:
    """Rewrite the row of every complaint the batch touches from its folded state."""
    states = states_after(conn, batch)
    upsert(conn, table, [row_of(complaint_id, state) for complaint_id, state in states.items()])


def upsert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert each row, or replace the one with its complaint id; one statement for all."""
    if not rows:
        return
    insert = pg_insert(table) if is_postgres(conn) else sqlite_insert(table)
    replace = {c.name: insert.excluded[c.name] for c in table.c if c.name != "complaint_id"}
    conn.execute(insert.on_conflict_do_update(index_elements=["complaint_id"], set_=replace),
                 rows)
