"""The event store's contract, run against the in-memory store, SQLite and PostgreSQL alike.

Every test takes ``store`` (``any_store``: one per backend). The few about SQL
itself (triggers, raw statements, SQLite's file) skip the in-memory store,
saying why.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest
import sqlalchemy as sa

from shared.app.clock import FixedClock
from shared.events import Envelope, Event, Metadata, new_envelope, register
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.records import (
    ConcurrencyError,
    DuplicateRecord,
    IdempotentAnswer,
    ProcessedMessage,
)
from shared.eventstore.schema import idempotency_keys, processed_messages
from shared.eventstore.store import EventStore
from tests.integration.conftest import AnyStore

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@register
class ProbeHappened(Event):
    type: ClassVar[str] = "probe.happened"
    n: int


@register
class ProbeNoticed(Event):
    type: ClassVar[str] = "probe.noticed"


@pytest.fixture
def store(any_store: AnyStore) -> AnyStore:
    return any_store


def sql_only(store: AnyStore, why: str) -> EventStore:
    if isinstance(store, InMemoryEventStore):
        pytest.skip(f"about SQL itself: {why}")
    return store


def envelopes(stream_id: str, start_version: int, count: int) -> list[Envelope]:
    return [
        new_envelope(stream_id, start_version + i + 1, ProbeHappened(n=i), NOW,
                     Metadata(actor="test"))
        for i in range(count)
    ]


def answer(key: str = "k", request_hash: str = "h") -> IdempotentAnswer:
    return IdempotentAnswer(token_id="t", key=key, request_hash=request_hash,
                            response={"a": 1, "nested": {"b": [2]}}, created_at=NOW)


# --------------------------------------------------------------------------- appending


def test_appended_events_read_back_equal_in_version_order(store: AnyStore) -> None:
    written = store.append("s-1", envelopes("s-1", 0, 3), expected_version=0)
    read = store.read_stream("s-1")
    assert [e.version for e in read] == [1, 2, 3]
    assert read == written
    assert read[0].occurred_at == NOW and read[0].metadata.actor == "test"


def test_recorded_at_comes_from_the_clock_the_store_was_given(
    store: AnyStore, store_clock: FixedClock
) -> None:
    store_clock.at = NOW + timedelta(days=3, microseconds=250)
    [written] = store.append("s-1", envelopes("s-1", 0, 1), 0)
    assert written.recorded_at == store_clock.at
    assert store.read_stream("s-1")[0].recorded_at == store_clock.at


def test_a_stale_expected_version_raises_concurrency_error_and_writes_nothing(
    store: AnyStore,
) -> None:
    store.append("s-1", envelopes("s-1", 0, 1), expected_version=0)
    with pytest.raises(ConcurrencyError) as raised:
        store.append("s-1", envelopes("s-1", 0, 1), expected_version=0)
    assert (raised.value.expected, raised.value.actual) == (0, 1)
    assert len(store.read_stream("s-1")) == 1
    assert store.outbox_size() == 1


def test_events_numbered_for_another_place_are_refused_naming_both(store: AnyStore) -> None:
    with pytest.raises(ValueError, match="s-2@1, expected s-1@1"):
        store.append("s-1", envelopes("s-2", 0, 1), 0)
    with pytest.raises(ValueError, match="s-1@1, expected s-1@2"):
        store.append("s-1", envelopes("s-1", 0, 1), 1)
    assert store.head_position() == 0


def test_an_event_id_is_stored_once(store: AnyStore) -> None:
    [first] = store.append("s-1", envelopes("s-1", 0, 1), 0)
    again = first.model_copy(update={"stream_id": "s-2", "position": None, "recorded_at": None})
    with pytest.raises(ConcurrencyError):
        store.append("s-2", [again], 0)
    assert store.read_stream("s-2") == [] and store.outbox_size() == 1


def test_read_all_follows_positions_across_streams(store: AnyStore) -> None:
    store.append("a", envelopes("a", 0, 2), 0)
    store.append("b", envelopes("b", 0, 1), 0)
    store.append("a", envelopes("a", 2, 1), 2)
    everything = store.read_all()
    assert [(e.stream_id, e.version) for e in everything] == [("a", 1), ("a", 2), ("b", 1),
                                                               ("a", 3)]
    positions = [e.position for e in everything]
    assert positions == sorted(positions) and store.head_position() == positions[-1]
    assert store.read_all(after=positions[1], limit=1) == [everything[2]]
    assert store.read_all(after=positions[-1]) == []


# --------------------------------------------------------------------------- outbox


def test_events_and_their_outbox_rows_commit_together(store: AnyStore) -> None:
    written = store.append("s-1", envelopes("s-1", 0, 2), expected_version=0)
    batch = store.outbox_batch()
    assert [e.event_id for e in batch] == [e.event_id for e in written]
    store.outbox_remove([e.position for e in batch if e.position is not None])
    assert store.outbox_size() == 0
    assert len(store.read_stream("s-1")) == 2


def test_the_outbox_gives_the_oldest_first_and_forgets_only_what_is_removed(
    store: AnyStore,
) -> None:
    written = store.append("s-1", envelopes("s-1", 0, 3), 0)
    assert store.outbox_batch(limit=2) == written[:2]
    store.outbox_remove([p for p in [written[0].position] if p is not None])
    assert store.outbox_batch() == written[1:]
    assert store.outbox_size() == 2


# --------------------------------------------------------------------------- also rows


def test_a_duplicate_also_row_rolls_back_the_whole_append(store: AnyStore) -> None:
    store.append("s-1", envelopes("s-1", 0, 1), 0,
                 also=[store.processed_row("dispatcher", "m-1", NOW)])
    with pytest.raises(DuplicateRecord):
        store.append("s-1", envelopes("s-1", 1, 1), 1,
                     also=[answer(), store.processed_row("dispatcher", "m-1", NOW)])
    assert len(store.read_stream("s-1")) == 1
    assert store.outbox_size() == 1
    assert store.was_processed("dispatcher", "m-1")
    assert store.idempotent_answer("t", "k") is None  # rolled back with the rest


def test_also_rows_commit_with_the_events_and_read_back(store: AnyStore) -> None:
    store.append("s-1", envelopes("s-1", 0, 1), 0, also=[answer()])
    assert store.idempotent_answer("t", "k") == answer()
    assert store.idempotent_answer("t", "other") is None
    assert store.idempotent_answer("other-token", "k") is None
    with pytest.raises(DuplicateRecord):
        store.append("s-2", envelopes("s-2", 0, 1), 0, also=[answer(request_hash="h2")])
    assert store.idempotent_answer("t", "k") == answer()  # the first answer stays
    assert store.read_stream("s-2") == []


def test_also_rows_alone_commit_without_events(store: AnyStore) -> None:
    assert store.append("s-1", [], 0, also=[ProcessedMessage("tracker", "m-9", NOW)]) == []
    assert store.was_processed("tracker", "m-9")
    assert not store.was_processed("dispatcher", "m-9")
    assert store.outbox_size() == 0


def test_an_also_row_with_a_naive_time_is_refused_naming_the_field(store: AnyStore) -> None:
    naive = ProcessedMessage("dispatcher", "m-1", NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="processed_at"):
        store.append("s-1", envelopes("s-1", 0, 1), 0, also=[naive])
    assert store.read_stream("s-1") == []


def test_rows_keep_the_callers_time_not_the_stores(store: AnyStore) -> None:
    sql = sql_only(store, "reads the time columns back with SQL")
    at = NOW - timedelta(hours=5)
    later = answer()
    sql.append("s-1", envelopes("s-1", 0, 1), 0,
               also=[ProcessedMessage("dispatcher", "m-1", at),
                     IdempotentAnswer("t", "k", "h", {}, at)])
    with sql.engine.connect() as conn:
        assert conn.execute(sa.select(processed_messages.c.processed_at)).scalar_one() == at
        assert conn.execute(sa.select(idempotency_keys.c.created_at)).scalar_one() == at
    assert later.created_at == NOW


def test_sql_statements_are_still_taken_as_also_rows(store: AnyStore) -> None:
    sql = sql_only(store, "raw SQL statements as also rows")
    row = sa.insert(idempotency_keys).values(
        token_id="t", key="k", request_hash="h", response={"a": 1}, created_at=NOW
    )
    sql.append("s-1", envelopes("s-1", 0, 1), 0, also=[row])
    with sql.engine.connect() as conn:
        assert conn.execute(sa.select(idempotency_keys.c.response)).scalar_one() == {"a": 1}


# --------------------------------------------------------------------------- consumers


def test_unprocessed_lists_a_consumers_missed_events_of_a_type_once_due(
    store: AnyStore, store_clock: FixedClock
) -> None:
    missed = store.append("a", envelopes("a", 0, 1), 0)
    store.append("b", [new_envelope("b", 1, ProbeNoticed(), NOW)], 0)
    handled = store.append("c", envelopes("c", 0, 1), 0)
    store.append("c", [], 1, also=[ProcessedMessage("dispatcher", str(handled[0].event_id), NOW)])
    store_clock.at = NOW + timedelta(minutes=2)
    too_new = store.append("d", envelopes("d", 0, 1), 0)

    due = NOW + timedelta(minutes=1)
    listed = store.unprocessed("dispatcher", "probe.happened", recorded_before=due)
    assert listed == missed
    assert store.unprocessed("dispatcher", "probe.happened", NOW) == []  # strictly before
    later = store.unprocessed("dispatcher", "probe.happened", due + timedelta(hours=1))
    assert later == missed + too_new
    assert store.unprocessed("dispatcher", "probe.happened", due + timedelta(hours=1),
                             limit=1) == missed
    assert len(store.unprocessed("tracker", "probe.happened", due)) == 2  # its own record


# --------------------------------------------------------------------------- concurrency


def test_a_tailing_reader_sees_every_event_of_concurrent_writers_in_order(
    store: AnyStore,
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


def test_concurrent_appends_to_one_stream_let_exactly_one_win(store: AnyStore) -> None:
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
