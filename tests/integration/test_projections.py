"""Projections on a real store (SQLite and PostgreSQL): catch-up, rebuild, the board, the month.

The reference for "right" is a single-threaded replay of the whole store into
fresh tables elsewhere (``support.replayed_rows``): whatever the live runner
did, concurrently or not, must equal it row for row.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.domain import commands as c
from shared.events import Envelope
from shared.eventstore.schema import metadata
from shared.eventstore.store import EventStore
from shared.policy import Policy, load_policy
from shared.projections.board import BoardProjection, list_orders
from shared.projections.monthly import MonthlyProjection, monthly_report
from shared.projections.runner import Projection, catch_up, position_of, rebuild
from tests.integration.support import Desk, mixed_history, projection_rows, replayed_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 29, 9, 0, tzinfo=SHANGHAI)
POLICY: Policy = load_policy()


@pytest.fixture
def desk(store: EventStore) -> Desk:
    desk = Desk(store, POLICY, T0)
    store.clock = desk.clock.now  # recorded_at follows the desk's clock, as in a service
    return desk


def both() -> list[Projection]:
    return [BoardProjection(), MonthlyProjection()]


def assert_equals_a_replay(store: EventStore, projection: Projection) -> None:
    assert projection_rows(store.engine, projection) == replayed_rows(store, projection)
    assert position_of(store.engine, projection.name) == store.head_position()


# --------------------------------------------------------------------------- a probe


probe_metadata = sa.MetaData()
probe_applied = sa.Table(
    "probe_applied", probe_metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("thread", sa.String(100), nullable=False),
)


class ProbeProjection:
    """Records every position it is given: a second application breaks the primary key."""

    tables: Sequence[sa.Table] = (probe_applied,)

    def __init__(self) -> None:
        self.name = f"probe-{uuid.uuid4().hex[:8]}"

    def apply(self, conn: sa.Connection, batch: Sequence[Envelope],
              tables: dict[str, sa.Table]) -> None:
        table = tables[probe_applied.name]
        conn.execute(sa.insert(table), [
            {"position": e.position, "thread": threading.current_thread().name} for e in batch])


def applied_positions(store: EventStore) -> list[int]:
    with store.engine.connect() as conn:
        query = sa.select(probe_applied.c.position).order_by(probe_applied.c.position)
        return [int(p) for p in conn.execute(query).scalars()]


def all_positions(store: EventStore) -> list[int]:
    return [e.position or 0 for e in store.read_all(limit=1_000_000)]


def run_threads(targets: Sequence[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException as exc:
                errors.append(exc)
        return run

    threads = [threading.Thread(target=guarded(t), name=f"t{i}") for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    return errors


def keep_writing(desk: Desk, rounds: int) -> Callable[[], None]:
    def write() -> None:
        for _ in range(rounds):
            mixed_history(desk)
    return write


# --------------------------------------------------------------------------- catch-up


def test_two_threads_catching_up_a_backlog_at_once_apply_each_event_exactly_once(
    store: EventStore, desk: Desk
) -> None:
    probe = ProbeProjection()
    probe_metadata.create_all(store.engine)
    catch_up(store, probe)  # its position row exists before the race
    for _ in range(3):
        mixed_history(desk)
    events = store.head_position()
    for projection in [*both(), probe]:
        barrier = threading.Barrier(2)
        counts: list[int] = []

        def race(projection: Projection = projection, barrier: threading.Barrier = barrier,
                 counts: list[int] = counts) -> None:
            barrier.wait()
            counts.append(catch_up(store, projection))

        assert run_threads([race, race]) == []
        assert sum(counts) == events  # between them, every event once
    assert applied_positions(store) == all_positions(store)
    for projection in both():
        assert_equals_a_replay(store, projection)


@pytest.mark.slow  # threads racing for seconds: --durations puts it on top
def test_catching_up_from_two_threads_repeatedly_while_events_arrive_applies_each_once(
    store: EventStore,
) -> None:
    probe = ProbeProjection()
    probe_metadata.create_all(store.engine)
    catch_up(store, probe)
    writing_done = threading.Event()
    writer_desk = Desk(store, POLICY, T0)

    def write() -> None:
        try:
            keep_writing(writer_desk, rounds=6)()
        finally:
            writing_done.set()

    def keep_catching_up() -> None:
        while True:
            finished = writing_done.is_set()
            for projection in (*both(), probe):
                catch_up(store, projection)
            if finished:
                return

    assert run_threads([write, keep_catching_up, keep_catching_up]) == []
    assert applied_positions(store) == all_positions(store)
    assert position_of(store.engine, probe.name) == store.head_position()
    for projection in both():
        assert_equals_a_replay(store, projection)


def test_the_first_catch_ups_of_a_new_projection_from_two_threads_at_once_both_succeed(
    store: EventStore, desk: Desk, request: pytest.FixtureRequest
) -> None:
    probe_metadata.create_all(store.engine)
    mixed_history(desk)
    for _ in range(20):  # each round a projection nobody has caught up before
        probe = ProbeProjection()
        barrier = threading.Barrier(2)

        def first_catch_up(probe: ProbeProjection = probe,
                           barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            catch_up(store, probe)

        errors = run_threads([first_catch_up, first_catch_up])
        if errors:
            raise errors[0]
        assert position_of(store.engine, probe.name) == store.head_position()
        with store.engine.begin() as conn:
            conn.execute(sa.delete(probe_applied))


def test_a_second_catch_up_with_nothing_new_applies_nothing(store: EventStore, desk: Desk) -> None:
    mixed_history(desk)
    for projection in both():
        assert catch_up(store, projection) == store.head_position()
        assert catch_up(store, projection) == 0
        assert_equals_a_replay(store, projection)


# --------------------------------------------------------------------------- rebuild


def test_a_rebuilt_projection_equals_the_live_one_row_for_row(
    store: EventStore, desk: Desk
) -> None:
    ids = mixed_history(desk)
    for projection in both():
        catch_up(store, projection)
    live = {p.name: projection_rows(store.engine, p) for p in both()}
    statuses = {row["complaint_id"]: row["status"] for row in live["board"]["board_orders"]}
    assert statuses[ids["closed"]] == "closed"
    assert statuses[ids["withdrawn"]] == "withdrawn"
    assert statuses[ids["awaiting_decision"]] == "awaiting_decision"
    assert statuses[ids["declined"]] == "declined"
    assert statuses[ids["paid_dispatched"]] == "dispatched"
    assert statuses[ids["auto_closed"]] == "closed"
    chased = next(r for r in live["board"]["board_orders"] if r["complaint_id"] == ids["chased"])
    assert (chased["warned"], chased["chase_count"], chased["last_chase_number"]) == (True, 1, 1)
    assert chased["last_customer_contact"] is not None

    for projection in both():
        assert rebuild(store, projection) == store.head_position()

    for projection in both():
        assert projection_rows(store.engine, projection) == live[projection.name]
        assert_equals_a_replay(store, projection)


def test_rebuilding_twice_in_a_row_leaves_the_schema_as_the_migrations_made_it(
    store: EventStore, desk: Desk
) -> None:
    mixed_history(desk)
    for projection in both():
        catch_up(store, projection)
    for _ in range(2):
        for projection in both():
            rebuild(store, projection)
            assert_equals_a_replay(store, projection)
    mixed_history(desk)  # the swapped-in tables take live writes like the originals
    for projection in both():
        catch_up(store, projection)
        assert_equals_a_replay(store, projection)

    inspector = sa.inspect(store.engine)
    assert sorted(inspector.get_table_names()) == sorted([*metadata.tables, "alembic_version"])
    for table in ("board_orders", "monthly_complaints"):
        assert inspector.get_pk_constraint(table)["constrained_columns"] == ["complaint_id"]
        if store.engine.dialect.name == "postgresql":
            assert inspector.get_pk_constraint(table)["name"] == f"{table}_pkey"
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


@pytest.mark.slow  # threads racing for seconds: --durations puts it on top
def test_rebuilding_while_another_thread_appends_and_catches_up_leaves_the_live_tables_right(
    store: EventStore, desk: Desk
) -> None:
    mixed_history(desk)
    writing_done = threading.Event()
    writer_desk = Desk(store, POLICY, T0 + timedelta(days=1))
    rebuilt: list[int] = []

    def write() -> None:
        try:
            keep_writing(writer_desk, rounds=5)()
        finally:
            writing_done.set()

    def keep_catching_up() -> None:
        while not writing_done.is_set():
            for projection in both():
                catch_up(store, projection)

    def keep_rebuilding() -> None:
        while not writing_done.is_set() or len(rebuilt) < 4:
            for projection in both():
                rebuilt.append(rebuild(store, projection))

    assert run_threads([write, keep_catching_up, keep_rebuilding]) == []
    assert len(rebuilt) >= 4
    for projection in both():
        catch_up(store, projection)
        assert_equals_a_replay(store, projection)


@pytest.mark.slow  # threads racing for seconds: --durations puts it on top
def test_a_rebuild_is_not_refused_when_a_writer_commits_while_it_creates_its_tables(
    store: EventStore, desk: Desk, request: pytest.FixtureRequest
) -> None:
    mixed_history(desk)
    for projection in both():
        catch_up(store, projection)
    writer = Desk(store, POLICY, T0 + timedelta(days=1))
    written: list[str] = []
    writers: list[threading.Thread] = []

    def another_writer_commits(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # A service appends while the rebuild creates its copies. On PostgreSQL it
        # commits at once; on SQLite it waits for the rebuild's write lock (the
        # rebuild must not be refused either way).
        if statement.lstrip().startswith("CREATE TABLE board_orders_r") and not writers:
            thread = threading.Thread(
                target=lambda: written.append(writer.dispatched("repair.common_area")))
            writers.append(thread)
            thread.start()
            thread.join(2)

    sa.event.listen(store.engine, "before_cursor_execute", another_writer_commits)
    try:
        rebuild(store, BoardProjection())
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", another_writer_commits)
    writers[0].join(60)
    assert len(written) == 1
    catch_up(store, BoardProjection())
    assert_equals_a_replay(store, BoardProjection())


# --------------------------------------------------------------------------- the month


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def report(store: EventStore, month: str, now: datetime, **options: Any) -> dict[str, Any]:
    catch_up(store, MonthlyProjection())
    with store.engine.connect() as conn:
        return monthly_report(conn, POLICY, month, now, **options)


def counts(section: dict[str, Any]) -> dict[str, Any]:
    keys = ("total", "timely", "late", "pending", "withdrawn", "declined", "timely_rate")
    return {k: section[k] for k in keys}


def test_a_month_is_cut_at_local_midnight_not_utc(store: EventStore, desk: Desk) -> None:
    last_of_october = desk.at(local(2026, 10, 31, 23, 30)).dispatched("repair.common_area")
    first_of_november = desk.at(local(2026, 11, 1, 0, 10)).dispatched("repair.common_area")
    registered = {e.payload["complaint_id"]: datetime.fromisoformat(e.payload["registered_at"])
                  for e in store.read_all() if e.type == "complaint.registered"}
    assert registered[last_of_october] == datetime(2026, 10, 31, 15, 30, tzinfo=UTC)
    assert registered[first_of_november] == datetime(2026, 10, 31, 16, 10, tzinfo=UTC)  # October

    now = local(2026, 11, 5)
    october, november = report(store, "2026-10", now), report(store, "2026-11", now)

    assert october["total"] == 1 and november["total"] == 1
    assert october["timezone"] == "Asia/Shanghai"
    assert report(store, "2026-09", now)["total"] == 0
    assert report(store, "2026-12", now)["total"] == 0


def test_timely_late_and_pending_are_judged_when_the_report_is_read(
    store: EventStore, desk: Desk
) -> None:
    timely = desk.at(local(2026, 10, 10, 9, 0)).dispatched("cleaning.common_area")  # 4 h
    desk.later(hours=2).complete(timely)
    desk.sign_off(timely, quality=5, attitude=4)
    late = desk.at(local(2026, 10, 12, 9, 0)).dispatched("intruder.sales", severity="serious")
    desk.later(hours=1).complete(late, team="保安班")  # 30 min commitment
    desk.sign_off(late, quality=3, attitude=5)
    withdrawn = desk.at(local(2026, 10, 15, 9, 0)).dispatched("cleaning.common_area")
    desk.withdraw(withdrawn)
    declined = desk.at(local(2026, 10, 16, 9, 0)).register("请安排家庭保洁")
    desk.route(declined)
    desk.run(declined, c.IssueQuote(items=(c.QuoteItem("deep_clean.per_hour", 2),)))
    desk.run(declined, c.DeclineQuote(reason="太贵"))
    desk.at(local(2026, 10, 31, 23, 30)).dispatched("repair.common_area")  # due 11-01 23:30
    due = local(2026, 11, 1, 23, 30)

    before_due = report(store, "2026-10", local(2026, 11, 1, 12, 0))
    at_due = report(store, "2026-10", due)
    after_due = report(store, "2026-10", due + timedelta(seconds=1))

    assert counts(before_due) == {"total": 3, "timely": 1, "late": 1, "pending": 1,
                                  "withdrawn": 1, "declined": 1, "timely_rate": 33.33}
    assert before_due["provisional"] is True
    assert counts(at_due) == counts(before_due)  # late only once the due time has passed
    assert counts(after_due) == {"total": 3, "timely": 1, "late": 2, "pending": 0,
                                 "withdrawn": 1, "declined": 1, "timely_rate": 33.33}
    assert after_due["provisional"] is False
    assert after_due["satisfaction"] == {"rated": 2, "quality": 4.0, "attitude": 4.5}
    assert after_due["escalated"] == 1
    assert after_due["generated_at"] == due + timedelta(seconds=1)
    assert {k: counts(v) for k, v in after_due["by_department"].items()} == {
        "customer_service": {"total": 0, "timely": 0, "late": 0, "pending": 0, "withdrawn": 0,
                             "declined": 1, "timely_rate": None},
        "engineering": {"total": 1, "timely": 0, "late": 1, "pending": 0, "withdrawn": 0,
                        "declined": 0, "timely_rate": 0.0},
        "environment": {"total": 1, "timely": 1, "late": 0, "pending": 0, "withdrawn": 1,
                        "declined": 0, "timely_rate": 100.0},
        "security": {"total": 1, "timely": 0, "late": 1, "pending": 0, "withdrawn": 0,
                     "declined": 0, "timely_rate": 0.0},
    }
    assert sorted(after_due["by_category"]) == [
        "cleaning.common_area", "cleaning.in_unit", "intruder.sales", "repair.common_area"]


def test_a_complaint_never_dispatched_stays_pending_and_keeps_the_month_provisional(
    store: EventStore, desk: Desk
) -> None:
    waiting = desk.at(local(2026, 12, 3, 10, 0)).register("厨房水龙头漏水")
    desk.route(waiting)  # in-unit repair: waits for the desk's free/paid decision

    a_year_later = report(store, "2026-12", local(2027, 12, 31))

    assert counts(a_year_later) == {"total": 1, "timely": 0, "late": 0, "pending": 1,
                                    "withdrawn": 0, "declined": 0, "timely_rate": 0.0}
    assert a_year_later["provisional"] is True
    assert list(a_year_later["by_department"]) == ["engineering"]
    assert a_year_later["satisfaction"] == {"rated": 0, "quality": None, "attitude": None}


def test_the_timely_rate_and_the_satisfaction_averages_round_half_up(
    store: EventStore, desk: Desk
) -> None:
    # 9 timely of 32: 28.125 % -> 28.13 (half-even would say 28.12);
    # 8 quality marks summing to 37: 4.625 -> 4.63 (half-even: 4.62).
    qualities = [5, 5, 5, 5, 5, 5, 5, 2]
    for i in range(32):
        complaint = desk.at(local(2026, 8, 5, 9, 0) + timedelta(minutes=i)).dispatched(
            "intruder.sales")
        if i < 9:
            desk.complete(complaint, team="保安班")  # at once: within the 30 minutes
            if i < len(qualities):
                desk.sign_off(complaint, quality=qualities[i], attitude=5)

    month = report(store, "2026-08", local(2026, 9, 1))

    assert counts(month) == {"total": 32, "timely": 9, "late": 23, "pending": 0,
                             "withdrawn": 0, "declined": 0, "timely_rate": 28.13}
    assert month["satisfaction"] == {"rated": 8, "quality": 4.63, "attitude": 5.0}
    assert month["by_department"]["security"]["timely_rate"] == 28.13


def test_the_report_filters_by_community(store: EventStore, desk: Desk) -> None:
    desk.at(local(2026, 10, 3, 9, 0)).dispatched("repair.common_area", community="荔园一期")
    desk.dispatched("repair.common_area", community="荔园二期")
    desk.dispatched("repair.common_area", community="荔园二期")

    now = local(2026, 10, 3, 10, 0)
    assert report(store, "2026-10", now)["total"] == 3
    assert report(store, "2026-10", now, community="荔园二期")["total"] == 2
    assert report(store, "2026-10", now, community="荔园三期")["total"] == 0


# --------------------------------------------------------------------------- the board


def board(store: EventStore, now: datetime, **options: Any) -> list[dict[str, Any]]:
    catch_up(store, BoardProjection())
    with store.engine.connect() as conn:
        return list_orders(conn, now, **options)


def test_the_board_lists_open_orders_soonest_due_first_with_overdue_judged_now(
    store: EventStore, desk: Desk
) -> None:
    chased = desk.at(T0).dispatched("intruder.sales")  # due T0 + 30 min
    desk.run(chased, c.AcceptOrder())
    desk.run(chased, c.AssignTeam(team="保安班"))
    engineering = desk.dispatched("repair.common_area")  # due T0 + 24 h
    desk.dispatched("repair.common_area", severity="serious")
    closed = desk.dispatched("repair.common_area")
    desk.later(hours=1).complete(closed)
    desk.sign_off(closed)
    environment = desk.dispatched("cleaning.common_area")  # T0+1h, due T0 + 5 h
    withdrawn = desk.dispatched("cleaning.common_area")
    desk.withdraw(withdrawn)
    desk.register("说不清楚的问题")  # registered only: not on the board
    waiting = desk.register("厨房水龙头漏水")
    desk.route(waiting)  # awaiting the free/paid decision: not on the board
    security = desk.later(hours=1).dispatched("renovation.disturbance")  # T0+2h, due T0 + 4 h
    done_late = desk.later(hours=1).dispatched("security.safety")  # T0+3h, due T0 + 3.5 h
    desk.later(hours=1).complete(done_late, team="保安班")  # T0+4h: completed after due

    now = T0 + timedelta(hours=4, minutes=30)
    orders = board(store, now)

    assert [o["complaint_id"] for o in orders][:4] == [chased, done_late, security, environment]
    assert {o["complaint_id"] for o in orders[4:]} == {engineering,
                                                       *_serious(store)}
    assert all(o["status"] not in ("closed", "withdrawn") for o in orders)
    assert closed not in {o["complaint_id"] for o in orders}
    assert withdrawn not in {o["complaint_id"] for o in orders}
    assert [o["due_at"] for o in orders] == sorted(o["due_at"] for o in orders)
    overdue = {o["complaint_id"]: o["overdue"] for o in orders}
    assert overdue[chased] is True and overdue[security] is True
    assert overdue[done_late] is False  # completed: the department's part is done
    assert overdue[environment] is False and overdue[engineering] is False
    first = orders[0]
    assert first["status"] == "assigned" and first["team"] == "保安班"
    assert first["department"] == "security" and first["category"] == "intruder.sales"
    assert first["due_at"] == (T0 + timedelta(minutes=30)).astimezone(UTC)
    assert first["minutes_left"] == -240.0

    assert [o["complaint_id"] for o in board(store, now, view="overdue")] == [chased, security]
    earlier = board(store, T0 + timedelta(hours=2, minutes=5))
    assert {o["complaint_id"] for o in earlier if o["overdue"]} == {chased}
    assert [o["complaint_id"] for o in board(store, now, department="security")] == [
        chased, done_late, security]
    assert [o["complaint_id"] for o in board(store, now, view="overdue",
                                             department="environment")] == []
    assert {o["complaint_id"] for o in board(store, now, view="all")} >= {closed, withdrawn}


def _serious(store: EventStore) -> set[str]:
    return {e.payload["complaint_id"] for e in store.read_all()
            if e.type == "complaint.registered" and e.payload["severity"] == "serious"}


# --------------------------------------------------------------------------- as of a moment


def test_the_report_as_of_a_moment_is_the_month_as_it_stood_then(
    store: EventStore, desk: Desk
) -> None:
    # given complaints dispatched at 09:00, and an hour later the moment asked about
    desk.at(local(2026, 10, 10, 9, 0))
    done_later = desk.dispatched("repair.common_area")             # 24 h
    late_then = desk.dispatched("intruder.sales")                  # 30 min
    withdrawn_later = desk.dispatched("cleaning.common_area")      # 4 h
    as_of = local(2026, 10, 10, 10, 0)
    # and after that moment: completions, a withdrawal, a sign-off, a new complaint
    desk.at(local(2026, 10, 10, 11, 0)).complete(done_later)
    desk.complete(late_then, team="保安班")
    desk.withdraw(withdrawn_later)
    desk.dispatched("facility.damage")                              # 24 h, never done
    desk.sign_off(done_later, quality=5, attitude=4)

    # when the month is read as of that moment, and as of now
    then = report(store, "2026-10", local(2026, 10, 20), as_of=as_of)
    now = report(store, "2026-10", local(2026, 10, 20))

    # then: completed later is still open (pending, or late past its due time),
    # withdrawn later still counts, registered later is absent, nothing rated yet
    assert counts(then) == {"total": 3, "timely": 0, "late": 1, "pending": 2,
                            "withdrawn": 0, "declined": 0, "timely_rate": 0.0}
    assert counts(then["by_category"]["intruder.sales"])["late"] == 1
    assert counts(then["by_category"]["repair.common_area"])["pending"] == 1
    assert "facility.damage" not in then["by_category"]
    assert then["provisional"] is True
    assert then["satisfaction"] == {"rated": 0, "quality": None, "attitude": None}
    assert then["as_of"] == as_of and then["generated_at"] == as_of
    assert counts(now) == {"total": 3, "timely": 1, "late": 2, "pending": 0,
                           "withdrawn": 1, "declined": 0, "timely_rate": 33.33}
    assert now["as_of"] is None


def test_a_complaint_registered_after_the_moment_is_absent_to_the_microsecond(
    store: EventStore, desk: Desk
) -> None:
    moment = local(2026, 10, 10, 9, 0)
    desk.at(moment).dispatched("repair.common_area")
    desk.at(moment + timedelta(microseconds=1)).dispatched("repair.common_area")

    assert report(store, "2026-10", moment, as_of=moment)["total"] == 1
    before = moment - timedelta(microseconds=1)
    assert report(store, "2026-10", moment, as_of=before)["total"] == 0


def test_the_report_as_of_now_is_the_live_report(store: EventStore, desk: Desk) -> None:
    desk.at(local(2026, 10, 10, 9, 0))
    mixed_history(desk)
    mixed_history(desk.later(days=1))
    now = desk.clock.at + timedelta(hours=2)

    live = report(store, "2026-10", now)
    as_of_now = report(store, "2026-10", now, as_of=now)

    assert as_of_now.pop("as_of") == now and live.pop("as_of") is None
    assert as_of_now == live
    assert live["total"] > 0 and live["late"] > 0 and live["timely"] > 0


# --------------------------------------------------------------------------- one fold


def test_complaints_whose_events_span_many_batches_get_the_rows_of_one_replay(
    store: EventStore, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three events a batch: most complaints are folded from their earlier events
    # read back from the store, with the batch's own on top.
    monkeypatch.setattr("shared.projections.runner.BATCH", 3)
    mixed_history(desk)
    for projection in both():
        catch_up(store, projection)
        assert_equals_a_replay(store, projection)
    mixed_history(desk.later(hours=1))
    for projection in both():
        rebuild(store, projection)
        assert_equals_a_replay(store, projection)
