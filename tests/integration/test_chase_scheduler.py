"""The dispatcher's chase scheduler (P-9 B) on a real store: the events are its memory.

A common-area repair dispatched at T0 is due 24 h later; the shipped policy
warns at 0.8 of that, chases every 60 minutes from the due time, and
auto-closes a completed order 7 days after completion, not rated.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from services.dispatcher.chase_scheduler import ChaseScheduler
from shared.app.bootstrap import ServiceContext
from shared.app.clock import FixedClock
from shared.app.settings import Settings
from shared.domain import commands as c
from shared.eventstore.commit_nudge import CommitListener
from shared.eventstore.store import EventStore
from shared.messaging.publisher import Publisher
from shared.messaging.relay import Relay
from shared.messaging.topology import envelope_from_body
from shared.policy import load_policy
from shared.projections.board import BoardProjection, list_orders
from shared.projections.monthly import MonthlyProjection, monthly_report
from shared.projections.runner import catch_up
from tests.integration.support import Desk, QueueReader, wait_for

T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
DUE = T0 + timedelta(hours=24)
POLICY = load_policy()


def scheduler_on(store: EventStore, clock: FixedClock) -> ChaseScheduler:
    """A scheduler as the dispatcher wires it: its own context, board keeper and handler."""
    return ChaseScheduler(ServiceContext("dispatcher", Settings(), POLICY, store, clock))


def types(store: EventStore, complaint_id: str) -> list[str]:
    return [e.type for e in store.read_stream(f"complaint-{complaint_id}")]


def chase_numbers(store: EventStore, complaint_id: str) -> list[int]:
    return [e.payload["number"] for e in store.read_stream(f"complaint-{complaint_id}")
            if e.type == "workorder.chased"]


@pytest.fixture
def desk(store: EventStore) -> Desk:
    return Desk(store, POLICY, T0)


def test_the_scheduler_warns_then_chases_on_the_schedule_and_the_board_shows_it(
    store: EventStore, desk: Desk
) -> None:
    order = desk.dispatched("repair.common_area")
    desk.later(hours=2).run(order, c.RecordFollowUp(note="已告知业主进度"))
    clock = FixedClock(T0 + timedelta(hours=19))
    scheduler = scheduler_on(store, clock)

    assert scheduler.tick() == 0  # 19 h of 24: under the share
    clock.at = T0 + timedelta(hours=19, minutes=12)
    assert scheduler.tick() == 1
    assert scheduler.tick() == 0  # warned once
    clock.at = DUE
    assert scheduler.tick() == 1
    clock.at = DUE + timedelta(minutes=59)
    assert scheduler.tick() == 0
    clock.at = DUE + timedelta(minutes=60)
    assert scheduler.tick() == 1

    assert types(store, order)[-3:] == ["workorder.warned", "workorder.chased", "workorder.chased"]
    assert chase_numbers(store, order) == [1, 2]
    catch_up(store, BoardProjection())
    with store.engine.connect() as conn:
        [row] = list_orders(conn, clock.at)
    assert (row["warned"], row["chase_count"]) == (True, 2)
    assert row["last_customer_contact"] == T0 + timedelta(hours=2)


def test_a_restarted_scheduler_repeats_no_chase_and_after_downtime_chases_the_latest_once(
    store: EventStore, desk: Desk
) -> None:
    order = desk.dispatched("repair.common_area")
    clock = FixedClock(DUE)
    assert scheduler_on(store, clock).tick() == 1

    restarted = scheduler_on(store, clock)  # a new process: nothing in memory
    assert restarted.tick() == 0
    clock.at = DUE + timedelta(hours=4, minutes=30)  # away for hours
    assert restarted.tick() == 1
    assert scheduler_on(store, clock).tick() == 0

    assert chase_numbers(store, order) == [1, 5]


@pytest.mark.slow
def test_two_schedulers_racing_on_one_store_make_each_chase_once(
    store: EventStore, desk: Desk
) -> None:
    orders = [desk.dispatched("repair.common_area") for _ in range(6)]
    clock = FixedClock(DUE)
    schedulers = [scheduler_on(store, clock), scheduler_on(store, clock)]

    for moment in (DUE, DUE + timedelta(hours=1), DUE + timedelta(hours=2)):
        clock.at = moment
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def race(scheduler: ChaseScheduler, barrier: threading.Barrier = barrier,
                 errors: list[BaseException] = errors) -> None:
            try:
                barrier.wait()
                scheduler.tick()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=race, args=(s,)) for s in schedulers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []

    for order in orders:
        assert chase_numbers(store, order) == [1, 2, 3]


def test_a_completed_order_never_signed_off_is_auto_closed_and_counted_not_rated(
    store: EventStore, desk: Desk
) -> None:
    rated = desk.dispatched("repair.common_area")
    desk.complete(rated)
    desk.sign_off(rated, quality=4, attitude=5)
    silent = desk.dispatched("repair.common_area")
    desk.later(hours=3).complete(silent)
    clock = FixedClock(desk.clock.at + timedelta(days=7) - timedelta(seconds=1))
    scheduler = scheduler_on(store, clock)

    assert scheduler.tick() == 0
    clock.at += timedelta(seconds=1)
    assert scheduler.tick() == 1
    assert types(store, silent)[-1] == "workorder.auto_closed"
    assert scheduler.tick() == 0

    monthly = MonthlyProjection()
    catch_up(store, monthly)
    catch_up(store, BoardProjection())
    with store.engine.connect() as conn:
        report = monthly_report(conn, POLICY, "2026-11", clock.at)
        assert list_orders(conn, clock.at) == []  # closed: off the board
    assert report["satisfaction"]["rated"] == 1
    assert report["total"] == 2


@pytest.mark.broker
def test_a_departments_queue_receives_its_warnings_and_chases(
    store: EventStore, desk: Desk, database_url: str, wake_port: int, fresh_rabbitmq_url: str
) -> None:
    url = fresh_rabbitmq_url
    order = desk.dispatched("repair.common_area")  # engineering
    engineering = QueueReader(url, "dept.engineering")
    security = QueueReader(url, "dept.security")
    engineering.poll()  # declares the topology before anything is published
    clock = FixedClock(T0 + timedelta(hours=20))
    scheduler = scheduler_on(store, clock)
    assert scheduler.tick() == 1
    clock.at = DUE
    assert scheduler.tick() == 1

    with Publisher(url, name="relay-test") as publisher:
        relay = Relay(store, publisher, CommitListener(database_url, wake_port))
        relay.drain()

    def arrived() -> bool:
        engineering.poll()
        return bool(engineering.of_type("workorder.chased"))

    assert wait_for(arrived)
    [(_, warned)] = engineering.of_type("workorder.warned")
    [(_, chased)] = engineering.of_type("workorder.chased")
    assert envelope_from_body(warned).routing_key() == "workorder.warned.engineering"
    assert envelope_from_body(chased).payload["number"] == 1
    assert envelope_from_body(chased).stream_id == f"complaint-{order}"
    assert not security.poll()
