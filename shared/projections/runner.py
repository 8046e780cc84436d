"""Running projections: catch up in position order, and rebuild from position 0.

A projection's rows and its position commit in one transaction, so each
event takes effect exactly once however often a broker message wakes the
runner (redeliveries, competing consumers, a timer). The runner locks the
projection's position row first, so two runners, or a runner and a rebuild
swapping tables, never apply the same events twice.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Protocol

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shared.events import Envelope
from shared.eventstore.engines import is_postgres, write_transaction
from shared.eventstore.schema import projection_positions
from shared.eventstore.store import EventStore

BATCH = 500
log = structlog.get_logger(__name__)


class Projection(Protocol):
    name: str
    tables: Sequence[sa.Table]

    def apply(self, conn: sa.Connection, batch: Sequence[Envelope],
              tables: dict[str, sa.Table]) -> None:
        """Apply events to ``tables`` (live name -> the table to write: live or a rebuild copy)."""


def _lock_position(conn: sa.Connection, name: str) -> int:
    postgres = is_postgres(conn)
    insert = pg_insert if postgres else sqlite_insert
    # Insert-if-absent first, so even a projection's very first catch-up has a
    # row to lock (two first runners would otherwise both insert it).
    conn.execute(insert(projection_positions).values(name=name, position=0)
                 .on_conflict_do_nothing())
    query = sa.select(projection_positions.c.position).where(projection_positions.c.name == name)
    if postgres:
        query = query.with_for_update()
    return int(conn.execute(query).scalar_one())


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
    _drop_leftover_copies(engine, projection)
    # DDL inside a write transaction: on SQLite a deferred one is refused
    # ("database is locked") when a service commits meanwhile.
    with write_transaction(engine) as conn:
        copies_md.create_all(conn)
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
        with write_transaction(engine) as conn:
            copies_md.drop_all(conn, checkfirst=True)
        raise
    log.info("projection.rebuilt", projection=projection.name, position=position)
    return position


def _drop_leftover_copies(engine: sa.Engine, projection: Projection) -> None:
    """Copies left by a rebuild that died mid-replay (``<table>_r<8 hex>``)."""
    patterns = [re.compile(rf"^{re.escape(t.name)}_r[0-9a-f]{{8}}$") for t in projection.tables]
    leftovers = [name for name in sa.inspect(engine).get_table_names()
                 if any(p.match(name) for p in patterns)]
    if leftovers:
        with write_transaction(engine) as conn:
            for name in leftovers:
                conn.exec_driver_sql(f'DROP TABLE "{name}"')


def _swap(conn: sa.Connection, projection: Projection, copies: dict[str, sa.Table]) -> None:
    postgres = is_postgres(conn)
    for table in projection.tables:
        copy = copies[table.name]
        conn.exec_driver_sql(f'DROP TABLE "{table.name}"')
        conn.exec_driver_sql(f'ALTER TABLE "{copy.name}" RENAME TO "{table.name}"')
        if postgres:  # keep the primary key's index name what a fresh schema has
            conn.exec_driver_sql(
                f'ALTER INDEX "{copy.name}_pkey" RENAME TO "{table.name}_pkey"')
