"""The command handler's load, decide, append and retry, on the in-memory store (milliseconds).

The in-memory store keeps the SQL store's contract (``test_store_contract.py``
runs over both), so what the handler does on a race here it does on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence

import pytest

from shared.app.clock import FixedClock
from shared.app.command_handler import ComplaintHandler
from shared.app.stream_writer import MAX_ATTEMPTS
from shared.domain import commands as c
from shared.domain.errors import RuleViolation
from shared.domain.events import stream_id_of
from shared.events import Envelope, Metadata
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.records import ConcurrencyError, DuplicateRecord, ProcessedMessage, Record
from tests.unit.given import CID, DEFAULT, T0, at, register

STREAM = stream_id_of(CID)


class CutInStore:
    """The in-memory store, where another desk's command lands just before our append."""

    def __init__(self, inner: InMemoryEventStore, cut_ins: list[Callable[[], object]]) -> None:
        self.inner = inner
        self.cut_ins = cut_ins  # one per append, in order, until none are left
        self.appends = 0

    def read_stream(self, stream_id: str) -> list[Envelope]:
        return self.inner.read_stream(stream_id)

    def append(self, stream_id: str, new_events: Sequence[Envelope], expected_version: int,
               *, also: Iterable[Record] = ()) -> list[Envelope]:
        self.appends += 1
        if self.cut_ins:
            self.cut_ins.pop(0)()
        return self.inner.append(stream_id, new_events, expected_version, also=also)


def desk(store: object, minutes: float = 0) -> ComplaintHandler:
    return ComplaintHandler(store, DEFAULT, FixedClock(at(minutes)))  # type: ignore[arg-type]


def run(handler: ComplaintHandler, command: c.Command, actor: str = "test"):  # type: ignore[no-untyped-def]
    return handler.execute(CID, command, Metadata(actor=actor, correlation_id=CID))


@pytest.fixture
def store() -> InMemoryEventStore:
    memory = InMemoryEventStore(clock=lambda: T0)
    run(desk(memory), register())
    run(desk(memory), c.RouteComplaint())
    return memory


def types(store: InMemoryEventStore) -> list[str]:
    return [e.type for e in store.read_stream(STREAM)]


def test_registering_and_routing_append_numbered_events_with_outbox_rows(
    store: InMemoryEventStore,
) -> None:
    assert types(store) == ["complaint.registered", "complaint.routed", "workorder.dispatched"]
    assert [e.version for e in store.read_stream(STREAM)] == [1, 2, 3]
    assert store.outbox_size() == 3
    assert all(e.occurred_at == T0 and e.recorded_at == T0 for e in store.read_stream(STREAM))


def test_a_command_that_loses_a_race_reloads_decides_again_and_both_land(
    store: InMemoryEventStore,
) -> None:
    def other_desk() -> None:
        run(desk(store, 1), c.RecordFollowUp(note="customer called again"), actor="desk-07")

    racing = CutInStore(store, [other_desk])
    outcome = run(desk(racing, 2), c.AcceptOrder(), actor="engineering")
    assert racing.appends == 2  # lost once, retried once
    assert types(store)[3:] == ["workorder.followed_up", "workorder.accepted"]
    assert [e.version for e in outcome.recorded] == [5]
    assert outcome.state.status == "accepted" and outcome.state.version == 5


def test_the_retry_decides_on_the_new_state_not_the_old(store: InMemoryEventStore) -> None:
    """A withdrawal that races an acceptance and loses is judged against the acceptance."""
    racing = CutInStore(store, [lambda: run(desk(store, 1), c.AcceptOrder())])
    with pytest.raises(RuleViolation, match="P-16"):
        run(desk(racing, 2), c.Withdraw(reason="fixed it myself"))
    assert types(store)[3:] == ["workorder.accepted"]


def test_a_handler_that_always_loses_gives_up_after_its_attempts(
    store: InMemoryEventStore,
) -> None:
    notes = iter(range(MAX_ATTEMPTS))
    cut_ins: list[Callable[[], object]] = [
        lambda: run(desk(store, 1), c.RecordFollowUp(note=f"call {next(notes)}"))
        for _ in range(MAX_ATTEMPTS)
    ]
    racing = CutInStore(store, cut_ins)
    with pytest.raises(ConcurrencyError):
        run(desk(racing, 2), c.AcceptOrder())
    assert racing.appends == MAX_ATTEMPTS
    assert "workorder.accepted" not in types(store)
    assert types(store).count("workorder.followed_up") == MAX_ATTEMPTS


def test_a_message_two_consumers_race_on_is_acted_on_once(store: InMemoryEventStore) -> None:
    """Processed-message rows commit with the events: the loser's retry hits the record."""

    def processed(_state: object, _events: object) -> list[Record]:
        return [ProcessedMessage("tracker", "m-1", T0)]

    def first() -> None:
        desk(store, 1).execute(CID, c.RecordFollowUp(note="from m-1"), Metadata(),
                               also=processed)

    racing = CutInStore(store, [first])
    with pytest.raises(DuplicateRecord):
        desk(racing, 2).execute(CID, c.RecordFollowUp(note="from m-1"), Metadata(),
                                also=processed)
    assert types(store).count("workorder.followed_up") == 1
    assert store.was_processed("tracker", "m-1")


def test_many_desks_at_once_all_land_in_one_unbroken_history(store: InMemoryEventStore) -> None:
    desks, each = 4, 10
    barrier = threading.Barrier(desks)
    errors: list[BaseException] = []

    def follow_up(n: int) -> None:
        barrier.wait()
        try:
            for i in range(each):
                run(desk(store, n), c.RecordFollowUp(note=f"desk {n} call {i}"))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=follow_up, args=(n,)) for n in range(desks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    history = store.read_stream(STREAM)
    assert [e.version for e in history] == list(range(1, 3 + desks * each + 1))
    assert store.outbox_size() == len(history)
