"""Intake's projections on a real store: the complaint index (GET /complaints) and the call
list (P-4) caught up live equal a replay, and a rebuild equals the live tables row for row."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from shared.app.call_recorder import CallRecorder
from shared.domain.commands import RecordCall
from shared.events import Metadata
from shared.eventstore.store import EventStore
from shared.policy import Policy, load_policy
from shared.projections.calls import CallsProjection, list_calls
from shared.projections.complaint_index import (
    ComplaintIndexProjection,
    ComplaintSearch,
    find_complaints,
)
from shared.projections.runner import Projection, catch_up, position_of, rebuild
from tests.integration.support import Desk, mixed_history, projection_rows, replayed_rows

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 29, 9, 0, tzinfo=SHANGHAI)
POLICY: Policy = load_policy()


@pytest.fixture
def desk(store: EventStore) -> Desk:
    desk = Desk(store, POLICY, T0)
    store.clock = desk.clock.now
    return desk


def intake_projections() -> list[Projection]:
    return [ComplaintIndexProjection(), CallsProjection()]


def record_calls(store: EventStore, desk: Desk, complaint_ids: list[str]) -> list[str]:
    """A call that is no complaint, then one call per complaint named, a minute apart."""
    recorder = CallRecorder(store, desk.handler, desk.clock)
    call_ids = []
    for complaint_id in [None, *complaint_ids]:
        command = RecordCall(call_id=str(uuid.uuid4()), caller="李四", phone="13900139000",
                             received_by="desk-07", summary="来电", complaint_id=complaint_id)
        recorder.record(command, Metadata(actor="desk-07"))
        call_ids.append(command.call_id)
        desk.later(minutes=1)
    return call_ids


def assert_equals_a_replay(store: EventStore, projection: Projection) -> None:
    assert projection_rows(store.engine, projection) == replayed_rows(store, projection)
    assert position_of(store.engine, projection.name) == store.head_position()


def test_the_index_holds_every_complaint_in_every_status(store: EventStore, desk: Desk) -> None:
    ids = mixed_history(desk)
    catch_up(store, ComplaintIndexProjection())
    with store.engine.connect() as conn:
        rows, total = find_complaints(conn, ComplaintSearch(limit=200))
    assert total == len(ids)
    status_of_name = {"chased": "dispatched", "auto_closed": "closed"}  # P-9 B's two
    assert {row["complaint_id"]: row["status"] for row in rows} == {
        complaint_id: status_of_name.get(name, name.removeprefix("late_").removeprefix("paid_"))
        for name, complaint_id in ids.items()}
    assert "phone_digits" not in rows[0] and "phone_last4" not in rows[0]


def test_a_rebuild_of_intake_s_projections_equals_the_live_ones_row_for_row(
    store: EventStore, desk: Desk
) -> None:
    ids = mixed_history(desk)
    call_ids = record_calls(store, desk, [ids["closed"], ids["awaiting_quote"]])
    mixed_history(desk)
    for projection in intake_projections():
        catch_up(store, projection)
        assert_equals_a_replay(store, projection)
    live = {p.name: projection_rows(store.engine, p) for p in intake_projections()}
    assert len(live["calls"]["calls"]) == len(call_ids) == 3

    for projection in intake_projections():
        assert rebuild(store, projection) == store.head_position()
    for projection in intake_projections():
        assert projection_rows(store.engine, projection) == live[projection.name]
        assert_equals_a_replay(store, projection)

    record_calls(store, desk, [])  # the swapped-in tables take live writes like the originals
    for projection in intake_projections():
        catch_up(store, projection)
        assert_equals_a_replay(store, projection)


def test_one_day_s_calls_in_the_order_they_came(store: EventStore, desk: Desk) -> None:
    ids = mixed_history(desk)
    call_ids = record_calls(store, desk, [ids["registered"]])
    catch_up(store, CallsProjection())
    day = datetime(2026, 11, 29, tzinfo=SHANGHAI)
    with store.engine.connect() as conn:
        calls = list_calls(conn, day, day.replace(day=30))
        assert list_calls(conn, day.replace(day=30), day.replace(day=30, hour=23)) == []
    assert [c["call_id"] for c in calls] == call_ids
    assert [c["complaint_id"] for c in calls] == [None, ids["registered"]]
    assert {c["recorded_by"] for c in calls} == {"desk-07"}
