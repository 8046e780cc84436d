"""The event store's contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import ClassVar

import pytest
import sqlalchemy as sa

from shared.events import Envelope, Event, Metadata, new_envelope, register
from shared.eventstore.schema import events, idempotency_keys
from shared.eventstore.store import ConcurrencyError, DuplicateRecord, EventStore

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@register
class ProbeHappened(Event):
    type: ClassVar[str] = "probe.happened"
    n: int


def envelopes(stream_id: str, start_version: int, count: int) -> list[Envelope]:
    return [
        new_envelope(stream_id, start_version + i + 1, ProbeHappened(n=i), NOW,
                     Metadata(actor="test"))
        for i in range(count)
    ]


def test_appended_events_read_back_equal_in_version_order(store: EventStore) -> None:
    written = store.append("s-1", envelopes("s-1", 0, 3), expected_version=0)
    read = store.read_stream("s-1")
    assert [e.version for e in read] == [1, 2, 3]
    assert read == written
    assert read[0].occurred_at == NOW and read[0].metadata.actor == "test"


def test_a_stale_expected_version_raises_concurrency_error_and_writes_nothing(
    store: EventStore,
) -> None:
    store.append("s-1", envelopes("s-1", 0, 1), expected_version=0)
    with pytest.raises(ConcurrencyError):
        store.append("s-1", envelopes("s-1", 0, 1), expected_version=0)
    assert len(store.read_stream("s-1")) == 1


def test_events_and_their_outbox_rows_commit_together(store: EventStore) -> None:
    written = store.append("s-1", envelopes("s-1", 0, 2), expected_version=0)
    batch = store.outbox_batch()
    assert [e.event_id for e in batch] == [e.event_id for e in written]
    store.outbox_remove([e.position for e in batch if e.position is not None])
    assert store.outbox_size() == 0
    assert len(store.read_stream("s-1")) == 2


def test_a_duplicate_also_row_rolls_back_the_whole_append(store: EventStore) -> None:
    store.append("s-1", envelopes("s-1", 0, 1), 1 - 1,
                 also=[EventStore.processed_row("dispatcher", "m-1")])
    with pytest.raises(DuplicateRecord):
        store.append("s-1", envelopes("s-1", 1, 1), 1,
                     also=[EventStore.processed_row("dispatcher", "m-1")])
    assert len(store.read_stream("s-1")) == 1
    assert store.outbox_size() == 1
    assert store.was_processed("dispatcher", "m-1")


def test_also_statements_commit_with_the_events(store: EventStore) -> None:
    row = sa.insert(idempotency_keys).values(
        token_id="t", key="k", request_hash="h", response={"a": 1}, created_at=NOW
    )
    store.append("s-1", envelopes("s-1", 0, 1), 0, also=[row])
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(idempotency_keys.c.response)).scalar_one() == {"a": 1}


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(events).values(type="tampered"),
        sa.delete(events),
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_rewrite_or_remove_events(
    store: EventStore, statement: sa.Executable
) -> None:
    store.append("s-1", envelopes("s-1", 0, 1), 0)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(statement)
    assert store.read_stream("s-1")[0].type == "probe.happened"


def test_postgres_refuses_truncate_of_events(store: EventStore) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    store.append("s-1", envelopes("s-1", 0, 1), 0)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events")
    assert len(store.read_stream("s-1")) == 1


def test_a_tailing_reader_sees_every_event_of_concurrent_writers_in_order(
    store: EventStore,
) -> None:
    writers, per_writer = 6, 25
    done = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            stream = f"w-{w}-{uuid.uuid4().hex[:6]}"
            for i in range(per_writer):
                store.append(stream, envelopes(stream, i, 1), i)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def tail() -> None:
        last = 0
        while True:
            finished = done.is_set()
            batch = store.read_all(after=last, limit=50)
            for e in batch:
                assert e.position is not None
                seen.append(e.position)
                last = e.position
            if finished and not batch:
                return

    reader = threading.Thread(target=tail)
    reader.start()
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    reader.join(timeout=60)
    assert not errors
    stored = [e.position for e in store.read_all(limit=10_000)]
    assert len(stored) == writers * per_writer
    assert seen == stored  # projected = stored: nothing skipped, nothing twice


def test_concurrent_appends_to_one_stream_let_exactly_one_win(store: EventStore) -> None:
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            store.append("contended", envelopes("contended", 0, 1), 0)
            outcomes.append("won")
        except ConcurrencyError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * 3 + ["won"]
    assert len(store.read_stream("contended")) == 1


def test_sqlite_commits_are_durable_through_a_power_cut(store: EventStore) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's durability is the server's (fsync on)")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
