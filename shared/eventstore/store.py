"""The append-only event store and its outbox (SQLAlchemy 2 Core, SQLite or PostgreSQL).

Guarantees, each with a test in ``tests/integration/test_store_contract.py``:

- ``append`` is optimistic: it names the version the caller last saw and
  raises :class:`ConcurrencyError` when someone else appended since.
- Events and their outbox rows commit in one transaction (no dual write);
  ``also`` rows (a consumer's :class:`ProcessedMessage`, an
  :class:`IdempotentAnswer`) join that same transaction.
- Times: ``recorded_at`` comes from the clock the store was given; the
  ``also`` rows carry the caller's. The store reads no clock of its own.
- Appends are serialised (SQLite's write lock; a transaction-scoped advisory
  lock on PostgreSQL), so positions become visible in number order and a
  reader following ``position > last`` never skips an event that commits
  late. At this system's load one lock holder at a time costs nothing.
- The database refuses UPDATE and DELETE (and TRUNCATE) on ``events``.

``shared.eventstore.memory`` keeps the same contract in memory, for fast tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.base import Executable

from shared.events import Envelope, Metadata
from shared.eventstore.commit_nudge import CommitNudge
from shared.eventstore.engines import is_postgres, make_engine, write_transaction
from shared.eventstore.records import (
    ConcurrencyError,
    DuplicateRecord,
    IdempotentAnswer,
    Now,
    ProcessedMessage,
    Record,
    aware_utc,
    check_numbering,
    wall_clock,
)
from shared.eventstore.schema import events, idempotency_keys, outbox, processed_messages

__all__ = ["ConcurrencyError", "DuplicateRecord", "EventStore", "envelope_of_row"]

# Any constant works; it only has to be the same for every writer.
APPEND_LOCK_KEY = 0x0C0FFEE


def envelope_of_row(row: sa.Row[tuple[object, ...]]) -> Envelope:
    m = row._mapping
    return Envelope(
        event_id=m["event_id"],
        stream_id=m["stream_id"],
        version=m["version"],
        type=m["type"],
        schema_version=m["schema_version"],
        occurred_at=m["occurred_at"],
        recorded_at=m["recorded_at"],
        payload=m["payload"],
        metadata=Metadata.model_validate(m["metadata"]),
        position=m["position"],
    )


def statement_for(row: Record | Executable) -> Executable:
    """The INSERT that records an ``also`` row; SQL given as such passes through."""
    if isinstance(row, ProcessedMessage):
        return sa.insert(processed_messages).values(
            consumer=row.consumer, event_id=row.event_id,
            processed_at=aware_utc(row.processed_at, "processed_at"))
    if isinstance(row, IdempotentAnswer):
        return sa.insert(idempotency_keys).values(
            token_id=row.token_id, key=row.key, request_hash=row.request_hash,
            response=row.response, created_at=aware_utc(row.created_at, "created_at"))
    return row


class EventStore:
    def __init__(
        self, engine: sa.Engine, wake_port: int | None = None, *, clock: Now = wall_clock
    ) -> None:
        self.engine = engine
        self.clock = clock
        self._nudge = CommitNudge(engine, wake_port) if wake_port else None

    @classmethod
    def from_url(
        cls, url: str, wake_port: int | None = None, *, clock: Now = wall_clock
    ) -> EventStore:
        return cls(make_engine(url), wake_port, clock=clock)

    # ------------------------------------------------------------------ writing

    def append(
        self,
        stream_id: str,
        new_events: Sequence[Envelope],
        expected_version: int,
        *,
        also: Iterable[Record | Executable] = (),
    ) -> list[Envelope]:
        """Append ``new_events`` after ``expected_version``; returns them with positions.

        ``also`` rows commit with the events, or nothing does (:class:`DuplicateRecord`).
        """
        check_numbering(stream_id, new_events, expected_version)
        statements = [statement_for(row) for row in also]
        recorded_at = aware_utc(self.clock(), "recorded_at")
        stored: list[Envelope] = []
        with write_transaction(self.engine) as conn:
            if is_postgres(conn):
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(APPEND_LOCK_KEY)))
            actual = self._stream_version(conn, stream_id)
            if actual != expected_version:
                raise ConcurrencyError(stream_id, expected_version, actual)
            for statement in statements:
                try:
                    with conn.begin_nested():
                        conn.execute(statement)
                except IntegrityError as exc:
                    raise DuplicateRecord(str(exc.orig)) from exc
            for envelope in new_events:
                stored.append(self._insert(conn, envelope, recorded_at))
            if stored:
                conn.execute(sa.insert(outbox), [{"position": e.position} for e in stored])
                if self._nudge:
                    self._nudge.in_transaction(conn)
        if stored and self._nudge:
            self._nudge.after_commit()
        return stored

    def _insert(self, conn: sa.Connection, envelope: Envelope, recorded_at: datetime) -> Envelope:
        row = envelope.model_dump(mode="json", exclude={"position", "recorded_at"})
        row.update(occurred_at=envelope.occurred_at, recorded_at=recorded_at)
        try:
            statement = sa.insert(events).returning(events.c.position)
            position = conn.execute(statement, row).scalar_one()
        except IntegrityError as exc:  # the version check above makes this a last line
            raise ConcurrencyError(envelope.stream_id, envelope.version - 1, -1) from exc
        return envelope.model_copy(update={"position": position, "recorded_at": recorded_at})

    @staticmethod
    def _stream_version(conn: sa.Connection, stream_id: str) -> int:
        query = sa.select(sa.func.coalesce(sa.func.max(events.c.version), 0)).where(
            events.c.stream_id == stream_id
        )
        return int(conn.execute(query).scalar_one())

    # ------------------------------------------------------------------ reading

    def read_stream(self, stream_id: str) -> list[Envelope]:
        query = sa.select(events).where(events.c.stream_id == stream_id).order_by(events.c.version)
        with self.engine.connect() as conn:
            return [envelope_of_row(r) for r in conn.execute(query)]

    def read_all(
        self, after: int = 0, limit: int = 1000, conn: sa.Connection | None = None
    ) -> list[Envelope]:
        """Events with position > ``after``, in position order."""
        query = (
            sa.select(events)
            .where(events.c.position > after)
            .order_by(events.c.position)
            .limit(limit)
        )
        if conn is not None:
            return [envelope_of_row(r) for r in conn.execute(query)]
        with self.engine.connect() as own:
            return [envelope_of_row(r) for r in own.execute(query)]

    def head_position(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(events.c.position), 0)))
                       .scalar_one())

    # ------------------------------------------------------------------ outbox

    def outbox_batch(self, limit: int = 500) -> list[Envelope]:
        """Unpublished events, oldest first."""
        query = (
            sa.select(events)
            .join(outbox, outbox.c.position == events.c.position)
            .order_by(events.c.position)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [envelope_of_row(r) for r in conn.execute(query)]

    def outbox_remove(self, positions: Sequence[int]) -> None:
        """Forget rows the broker has confirmed."""
        if not positions:
            return
        with write_transaction(self.engine) as conn:
            conn.execute(sa.delete(outbox).where(outbox.c.position.in_(positions)))

    def outbox_size(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(outbox)).scalar_one())

    # ------------------------------------------------------------------ consumers

    def was_processed(self, consumer: str, event_id: str) -> bool:
        query = sa.select(processed_messages.c.event_id).where(
            processed_messages.c.consumer == consumer,
            processed_messages.c.event_id == event_id,
        )
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None

    @staticmethod
    def processed_row(consumer: str, event_id: str, at: datetime) -> ProcessedMessage:
        """The row a consumer passes as ``also`` to record its message, at its clock's time."""
        return ProcessedMessage(consumer, event_id, at)

    def unprocessed(
        self, consumer: str, event_type: str, recorded_before: datetime, limit: int = 100
    ) -> list[Envelope]:
        """Events of ``event_type`` recorded before the moment that ``consumer`` has not
        recorded as processed, oldest first (the dispatcher's sweep for missed messages)."""
        e, p = events, processed_messages
        handled = sa.exists().where(p.c.consumer == consumer, p.c.event_id == e.c.event_id)
        query = (
            sa.select(e)
            .where(e.c.type == event_type, e.c.recorded_at < recorded_before, ~handled)
            .order_by(e.c.position)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [envelope_of_row(row) for row in conn.execute(query)]

    # ------------------------------------------------------------------ idempotency

    def idempotent_answer(self, token_id: str, key: str) -> IdempotentAnswer | None:
        """The first answer recorded for this token's ``Idempotency-Key``, if any."""
        t = idempotency_keys
        query = sa.select(t).where(t.c.token_id == token_id, t.c.key == key)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        m = row._mapping
        return IdempotentAnswer(token_id=m["token_id"], key=m["key"],
                                request_hash=m["request_hash"], response=dict(m["response"]),
                                created_at=m["created_at"])

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.select(1))
            return True
        except Exception:
            return False
