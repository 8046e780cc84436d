"""Running projections: catch up in position order, and rebuild from position 0.

A projection's rows and its position commit in one transaction, so each
event takes effect exactly once however often a broker message wakes the
runner (redeliveries, competing consumers, a timer). The runner locks the
projection's position row first, so two runners, or a runner and a rebuild
swapping tables, never apply the same events twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Protocol

import sqlalchemy as sa
import structlog

from shared.db import is_postgres, write_transaction
from shared.events import Envelope
from shared.schema import projection_positions
from shared.store import EventStore

BATCH = 500
log = structlog.get_logger(__name__)


class Projection(Protocol):
    name: str
    tables: Sequence[sa.Table]

    def apply(self, conn: sa.Connection, batch: Sequence[Envelope],
              tables: dict[str, sa.Table]) -> None:
        """Apply events to ``tables`` (live name -> the table to write: live or a rebuild copy)."""


def _lock_position(conn: sa.Connection, name: str) -> int:
    query = sa.select(projection_positions.c.position).where(projection_positions.c.name == name)
    if is_postgres(conn):
        query = query.with_for_update()
    position = conn.execute(query).scalar_one_or_none()
    if position is None:
        conn.execute(sa.insert(projection_positions).values(name=name, position=0))
        return 0
    return int(position)


def _set_position(conn: sa.Connection, name: str, position: int) -> None:
    conn.execute(sa.update(projection_positions)
                 .where(projection_positions.c.name == name).values(position=position))


def position_of(engine: sa.Engine, name: str) -> int:
    with engine.connect() as conn:
        query = sa.select(projection_positions.c.position).where(
            projection_positions.c.name == name)
        return int(conn.execute(query).scalar_one_or_none() or 0)


def catch_up(store: EventStore, projection: Projection) -> int:
    """Apply every event not yet applied; returns how many."""
    live = {t.name: t for t in projection.tables}
    applied = 0
    while True:
        with write_transaction(store.engine) as conn:
            position = _lock_position(conn, projection.name)
            batch = store.read_all(after=position, limit=BATCH, conn=conn)
            if not batch:
                return applied
            projection.apply(conn, batch, live)
            last = batch[-1].position
            assert last is not None
            _set_position(conn, projection.name, last)
            applied += len(batch)


def rebuild(store: EventStore, projection: Projection) -> int:
    """Replay the whole store into fresh tables and swap them in; safe while services run."""
    engine = store.engine
    suffix = uuid.uuid4().hex[:8]
    copies_md = sa.MetaData()
    copies = {t.name: t.to_metadata(copies_md, name=f"{t.name}_r{suffix}")
              for t in projection.tables}
    copies_md.create_all(engine)
    position = 0
    try:
        while True:  # the long replay, without holding the live projection's lock
            batch = store.read_all(after=position, limit=BATCH)
            if not batch:
                break
            with write_transaction(engine) as conn:
                projection.apply(conn, batch, copies)
            position = batch[-1].position or position
        with write_transaction(engine) as conn:
            _lock_position(conn, projection.name)  # live runners wait here
            while batch := store.read_all(after=position, limit=BATCH, conn=conn):
                projection.apply(conn, batch, copies)
                position = batch[-1].position or position
            _swap(conn, projection, copies)
            _set_position(conn, projection.name, position)
    except BaseException:
        copies_md.drop_all(engine, checkfirst=True)
        raise
    log.info("projection.rebuilt", projection=projection.name, position=position)
    return position


def _swap(conn: sa.Connection, projection: Projection, copies: dict[str, sa.Table]) -> None:
    postgres = is_postgres(conn)
    for table in projection.tables:
        copy = copies[table.name]
        conn.exec_driver_sql(f'DROP TABLE "{table.name}"')
        conn.exec_driver_sql(f'ALTER TABLE "{copy.name}" RENAME TO "{table.name}"')
        if postgres:  # keep the primary key's index name what a fresh schema has
            conn.exec_driver_sql(
                f'ALTER INDEX "{copy.name}_pkey" RENAME TO "{table.name}_pkey"')
