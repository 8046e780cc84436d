"""Reassigned, reopened and referred complaints in the projections (SQLite and PostgreSQL):
the rows follow the final department, the final completion and the stopped clock; a rebuild
equals the live rows; the report as of a moment during a referral judges with the clock
stopped."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from shared.domain import commands as c
from shared.eventstore.store import EventStore
from shared.policy import Policy, load_policy
from shared.projections.board import BoardProjection, list_orders
from shared.projections.monthly import MonthlyProjection, monthly_report
from shared.projections.runner import catch_up, rebuild
from tests.integration.support import Desk, projection_rows, replayed_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
POLICY: Policy = load_policy()
REFER = c.ReferComplaint(organisation="燃气公司", contact="王工", explanation="燃气管道归燃气公司")


@pytest.fixture
def desk(store: EventStore) -> Desk:
    desk = Desk(store, POLICY, T0)
    store.clock = desk.clock.now
    return desk


def corrected_history(desk: Desk) -> dict[str, str]:
    ids: dict[str, str] = {}
    ids["reassigned"] = desk.dispatched("repair.common_area")  # engineering, 24 h
    desk.run(ids["reassigned"], c.AcceptOrder())
    desk.later(minutes=5).run(ids["reassigned"],
                              c.ReassignOrder(department="environment", reason="派错"))
    ids["reopened"] = desk.dispatched("cleaning.common_area")  # environment, 4 h
    desk.complete(ids["reopened"])
    desk.later(minutes=5).run(ids["reopened"], c.ReopenOrder(reason="没扫干净"))
    ids["referred"] = desk.dispatched("intruder.sales")  # security, 30 min
    desk.later(minutes=5).run(ids["referred"], REFER)
    ids["resolved"] = desk.dispatched("intruder.sales")
    desk.run(ids["resolved"], REFER)
    desk.later(hours=1).run(ids["resolved"], c.ResolveReferral(outcome="燃气公司已处理"))
    return ids


def test_corrected_complaints_rebuild_to_the_live_rows(store: EventStore, desk: Desk) -> None:
    ids = corrected_history(desk)
    projections = [BoardProjection(), MonthlyProjection()]
    for projection in projections:
        catch_up(store, projection)
    live = {p.name: projection_rows(store.engine, p) for p in projections}
    rows = {r["complaint_id"]: r for r in live["board"]["board_orders"]}
    assert (rows[ids["reassigned"]]["department"], rows[ids["reassigned"]]["status"]) == (
        "environment", "dispatched")
    assert (rows[ids["reopened"]]["status"], rows[ids["reopened"]]["completed_at"]) == (
        "assigned", None)
    assert rows[ids["referred"]]["clock_stopped_since"] is not None
    assert rows[ids["resolved"]]["clock_stopped_since"] is None
    for projection in projections:
        rebuild(store, projection)
        assert projection_rows(store.engine, projection) == live[projection.name]
        assert projection_rows(store.engine, projection) == replayed_rows(store, projection)


def test_the_board_and_the_month_judge_a_referred_order_with_its_clock_stopped(
    store: EventStore, desk: Desk,
) -> None:
    ids = corrected_history(desk)
    later = T0 + timedelta(days=3)
    catch_up(store, BoardProjection())
    with store.engine.connect() as conn:
        overdue = {o["complaint_id"] for o in list_orders(conn, later, view="overdue")}
        by_department = {o["complaint_id"] for o in list_orders(conn, later,
                                                                 department="engineering")}
    assert ids["referred"] not in overdue
    assert ids["resolved"] in overdue  # the hour stopped is long used up
    assert ids["reassigned"] in overdue and by_department == set()

    catch_up(store, MonthlyProjection())
    with store.engine.connect() as conn:
        now = monthly_report(conn, POLICY, "2026-11", later)
        # as of a moment during the first referral, before the second was resolved
        during = monthly_report(conn, POLICY, "2026-11", later,
                                as_of=desk.clock.at - timedelta(minutes=30))
    assert now["referred"] == 2
    assert (now["late"], now["pending"]) == (3, 1)  # the open referral is pending
    assert now["by_department"]["environment"]["total"] == 2
    assert "engineering" not in now["by_department"]
    assert during["referred"] == 2
    assert during["by_department"]["security"]["pending"] == 2
