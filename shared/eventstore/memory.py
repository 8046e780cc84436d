"""The event store in memory: the SQL store's contract without a database, for fast tests.

It passes the same contract suite as SQLite and PostgreSQL
(``tests/integration/test_store_contract.py``, the way the eventsourcing
library runs one suite over its in-memory and SQL recorders), so a test of
the command handler's race-and-retry can run on it in milliseconds.

One lock stands for the SQL store's append lock and transaction: an append
checks the version, records its ``also`` rows, its events and their outbox
entries all under the lock, or changes nothing. Envelopes go in and come out
through JSON, as they do through a database column, so a caller never shares
an object with the store. What it does not have: SQL (``engine``, raw
statements as ``also`` rows), triggers, files; tests of those stay on SQL.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime

from shared.events import Envelope
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


def _stored_copy(envelope: Envelope) -> Envelope:
    # Through JSON, as through a JSON column: no object is shared with the caller.
    return Envelope.model_validate_json(envelope.model_dump_json())


def _answer_copy(answer: IdempotentAnswer) -> IdempotentAnswer:
    # The response goes through JSON too, as into the SQL store's JSON column.
    return IdempotentAnswer(answer.token_id, answer.key, answer.request_hash,
                            json.loads(json.dumps(answer.response)),
                            aware_utc(answer.created_at, "created_at"))


class InMemoryEventStore:
    """Same public methods as :class:`shared.eventstore.store.EventStore`, minus SQL."""

    def __init__(self, *, clock: Now = wall_clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._log: list[Envelope] = []  # position n is self._log[n - 1]
        self._streams: dict[str, list[Envelope]] = {}
        self._event_ids: set[object] = set()
        self._outbox: dict[int, None] = {}  # an ordered set of positions
        self._processed: dict[tuple[str, str], datetime] = {}
        self._answers: dict[tuple[str, str], IdempotentAnswer] = {}

    # ------------------------------------------------------------------ writing

    def append(
        self,
        stream_id: str,
        new_events: Sequence[Envelope],
        expected_version: int,
        *,
        also: Iterable[Record] = (),
    ) -> list[Envelope]:
        """Append ``new_events`` after ``expected_version``; returns them with positions."""
        check_numbering(stream_id, new_events, expected_version)
        rows = list(also)
        recorded_at = aware_utc(self.clock(), "recorded_at")
        with self._lock:
            stream = self._streams.get(stream_id, [])
            actual = len(stream)
            if actual != expected_version:
                raise ConcurrencyError(stream_id, expected_version, actual)
            self._check_new(rows)
            self._check_unique_ids(new_events)
            for row in rows:
                self._record(row)
            stored = []
            for envelope in new_events:
                position = len(self._log) + 1
                kept = _stored_copy(envelope.model_copy(
                    update={"position": position, "recorded_at": recorded_at}))
                self._log.append(kept)
                self._event_ids.add(kept.event_id)
                self._outbox[position] = None
                stored.append(kept)
            self._streams[stream_id] = stream + stored
        return [_stored_copy(e) for e in stored]

    def _check_new(self, rows: list[Record]) -> None:
        """Every ``also`` row must be new, as the SQL tables' primary keys demand."""
        seen: set[tuple[str, str, str]] = set()
        for row in rows:
            if isinstance(row, ProcessedMessage):
                key = ("processed_messages", row.consumer, row.event_id)
                duplicate = (row.consumer, row.event_id) in self._processed
            elif isinstance(row, IdempotentAnswer):
                key = ("idempotency_keys", row.token_id, row.key)
                duplicate = (row.token_id, row.key) in self._answers
            else:
                raise TypeError(f"also: {type(row).__name__} is not a row the store records")
            if duplicate or key in seen:
                raise DuplicateRecord(f"{key[0]}: ({key[1]}, {key[2]}) already recorded")
            seen.add(key)

    def _check_unique_ids(self, new_events: Sequence[Envelope]) -> None:
        # The SQL store's unique event_id; the version check makes a clash near impossible.
        fresh: set[object] = set()
        for envelope in new_events:
            if envelope.event_id in self._event_ids or envelope.event_id in fresh:
                raise ConcurrencyError(envelope.stream_id, envelope.version - 1, -1)
            fresh.add(envelope.event_id)

    def _record(self, row: Record) -> None:
        if isinstance(row, ProcessedMessage):
            self._processed[(row.consumer, row.event_id)] = aware_utc(
                row.processed_at, "processed_at")
        else:
            self._answers[(row.token_id, row.key)] = _answer_copy(row)

    # ------------------------------------------------------------------ reading

    def read_stream(self, stream_id: str) -> list[Envelope]:
        with self._lock:
            stream = list(self._streams.get(stream_id, []))
        return [_stored_copy(e) for e in stream]

    def read_all(self, after: int = 0, limit: int = 1000) -> list[Envelope]:
        """Events with position > ``after``, in position order."""
        with self._lock:
            batch = self._log[max(after, 0):max(after, 0) + limit]
        return [_stored_copy(e) for e in batch]

    def head_position(self) -> int:
        with self._lock:
            return len(self._log)

    # ------------------------------------------------------------------ outbox

    def outbox_batch(self, limit: int = 500) -> list[Envelope]:
        """Unpublished events, oldest first."""
        with self._lock:
            batch = [self._log[p - 1] for p in sorted(self._outbox)[:limit]]
        return [_stored_copy(e) for e in batch]

    def outbox_remove(self, positions: Sequence[int]) -> None:
        """Forget rows the broker has confirmed."""
        with self._lock:
            for position in positions:
                self._outbox.pop(position, None)

    def outbox_size(self) -> int:
        with self._lock:
            return len(self._outbox)

    # ------------------------------------------------------------------ consumers

    def was_processed(self, consumer: str, event_id: str) -> bool:
        with self._lock:
            return (consumer, event_id) in self._processed

    @staticmethod
    def processed_row(consumer: str, event_id: str, at: datetime) -> ProcessedMessage:
        """The row a consumer passes as ``also`` to record its message, at its clock's time."""
        return ProcessedMessage(consumer, event_id, at)

    def unprocessed(
        self, consumer: str, event_type: str, recorded_before: datetime, limit: int = 100
    ) -> list[Envelope]:
        """Events of ``event_type`` recorded before the moment that ``consumer`` has not
        recorded as processed, oldest first."""
        before = aware_utc(recorded_before, "recorded_before")
        with self._lock:
            missed = [
                e for e in self._log
                if e.type == event_type and e.recorded_at is not None
                and e.recorded_at < before and (consumer, str(e.event_id)) not in self._processed
            ][:limit]
        return [_stored_copy(e) for e in missed]

    # ------------------------------------------------------------------ idempotency

    def idempotent_answer(self, token_id: str, key: str) -> IdempotentAnswer | None:
        """The first answer recorded for this token's ``Idempotency-Key``, if any."""
        with self._lock:
            answer = self._answers.get((token_id, key))
        return None if answer is None else _answer_copy(answer)

    def ping(self) -> bool:
        return True
