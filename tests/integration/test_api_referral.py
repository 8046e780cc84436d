"""P-13 over HTTP (dispatcher): refer, note, resolve; the clock stops between referral and
resolve, the board and the monthly report judge with it stopped, and due_at moves out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.api_support import T0, Api, aware, error_of, open_api

REFERRAL = {"organisation": "自来水公司", "contact": "李工 0755-12345678",
            "explanation": "主水管属自来水公司，已联系其抢修，修好后我们回访"}


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def referral_step(api: Api, complaint_id: str, step: str, body: Any,
                  role: str = "desk") -> httpx.Response:
    path = f"/complaints/{complaint_id}/referral" + (f"/{step}" if step else "")
    return api.post(api.dispatcher, path, role, body)


def test_the_clock_stops_while_referred_and_due_at_moves_out_on_resolve(api: Api) -> None:
    complaint_id = api.new_order("intruder.sales")  # security, 30 min
    api.advance(minutes=10)
    referred = referral_step(api, complaint_id, "", REFERRAL)
    assert referred.status_code == 200, referred.text
    body = referred.json()
    assert aware(body["clock_stopped_since"]) == T0 + timedelta(minutes=10)
    assert body["referral"]["organisation"] == "自来水公司"
    assert aware(body["due_at"]) == T0 + timedelta(minutes=30)

    api.advance(hours=2)  # long past the 30 min: not overdue, the clock stands still
    [order] = api.orders()
    assert order["overdue"] is False
    assert order["minutes_left"] == 20.0
    assert api.orders(status="overdue") == []
    report = api.report()
    assert (report["late"], report["pending"], report["referred"]) == (0, 1, 1)

    noted = referral_step(api, complaint_id, "notes", {"note": "对方答复今日到场"})
    assert noted.status_code == 200, noted.text
    assert noted.json()["referral"]["notes"] == ["对方答复今日到场"]

    resolved = referral_step(api, complaint_id, "resolve", {"outcome": "自来水公司已修复"})
    assert resolved.status_code == 200, resolved.text
    moved = aware(resolved.json()["due_at"])
    assert moved == T0 + timedelta(minutes=30) + timedelta(hours=2)
    assert resolved.json()["referral"] is None
    assert aware(api.complaint(complaint_id)["due_at"]) == moved
    [event] = [h for h in api.complaint(complaint_id)["history"]
               if h["type"] == "complaint.referral_resolved"]
    assert (event["data"]["stopped_seconds"], event["data"]["stopped_minutes"]) == (7200, "120.00")
    assert aware(event["data"]["due_at"]) == moved
    [order] = api.orders()
    assert aware(order["due_at"]) == moved

    api.advance(minutes=21)  # the remaining 20 minutes have run out
    [order] = api.orders()
    assert order["overdue"] is True
    report = api.report()
    assert (report["late"], report["referred"]) == (1, 1)


def test_an_order_completed_after_resolve_is_timely_against_the_moved_due_time(
    api: Api,
) -> None:
    complaint_id = api.new_order("intruder.sales")  # 30 min
    api.work(complaint_id, "security", through="assign")
    assert referral_step(api, complaint_id, "", REFERRAL).status_code == 200
    api.advance(hours=3)
    refused = api.order_step(complaint_id, "complete", "department:security", {"note": "x"})
    assert refused.status_code == 409
    assert "P-13" in error_of(refused)["message"]
    assert referral_step(api, complaint_id, "resolve", {"outcome": "ok"}).status_code == 200
    api.advance(minutes=15)
    done = api.order_step(complaint_id, "complete", "department:security", {"note": "x"})
    assert done.status_code == 200, done.text
    report = api.report()
    assert (report["timely"], report["late"], report["referred"]) == (1, 0, 1)


def test_a_complaint_not_dispatched_cannot_be_referred_409_p13(api: Api) -> None:
    complaint_id = api.new_order("repair.in_unit")  # waits for the paid/free decision
    response = referral_step(api, complaint_id, "", REFERRAL)
    assert response.status_code == 409
    assert "P-13" in error_of(response)["message"]


def test_one_open_referral_at_a_time_and_resolve_only_when_referred(api: Api) -> None:
    complaint_id = api.new_order("intruder.sales")
    not_referred = referral_step(api, complaint_id, "resolve", {"outcome": "x"})
    assert not_referred.status_code == 409
    assert "P-13" in error_of(not_referred)["message"]
    assert referral_step(api, complaint_id, "", REFERRAL).status_code == 200
    again = referral_step(api, complaint_id, "", REFERRAL)
    assert again.status_code == 409
    assert "one open referral" in error_of(again)["message"]


@pytest.mark.parametrize("missing", ["organisation", "contact", "explanation"])
def test_a_referral_without_a_field_is_422_naming_it(api: Api, missing: str) -> None:
    complaint_id = api.new_order("intruder.sales")
    body = {k: v for k, v in REFERRAL.items() if k != missing}
    response = referral_step(api, complaint_id, "", body)
    assert response.status_code == 422
    assert missing in error_of(response)["fields"]


def test_only_the_desk_refers(api: Api) -> None:
    complaint_id = api.new_order("intruder.sales")
    for role in ("department:security", "manager", "kiosk"):
        assert referral_step(api, complaint_id, "", REFERRAL, role).status_code == 403


def test_an_unknown_complaint_is_404(api: Api) -> None:
    response = referral_step(api, "0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a01", "", REFERRAL)
    assert response.status_code == 404


def test_the_paths_are_in_the_dispatcher_s_openapi(api: Api) -> None:
    paths = api.dispatcher.get("/openapi.json").json()["paths"]
    assert {"/complaints/{complaint_id}/referral", "/complaints/{complaint_id}/referral/notes",
            "/complaints/{complaint_id}/referral/resolve"} <= set(paths)


def test_the_board_sorts_by_time_left_with_the_clock_stopped(api: Api) -> None:
    referred = api.new_order("intruder.sales")  # 30 min
    assert referral_step(api, referred, "", REFERRAL).status_code == 200
    api.advance(minutes=1)
    soon = api.new_order("cleaning.common_area")  # 4 h
    api.advance(hours=3)  # the referred order still has 30 min; the other one 1 h 1 min
    [first, second] = api.orders()
    assert (first["complaint_id"], first["minutes_left"]) == (referred, 30.0)
    assert aware(first["due_at"]) == T0 + timedelta(minutes=30)  # stored; moves on resolve
    assert aware(first["clock_stopped_since"]) == T0
    assert (second["complaint_id"], second["overdue"]) == (soon, False)


def test_an_order_referred_when_already_late_stays_overdue(api: Api) -> None:
    complaint_id = api.new_order("intruder.sales")  # 30 min
    api.advance(hours=1)
    assert referral_step(api, complaint_id, "", REFERRAL).status_code == 200
    api.advance(hours=1)
    [order] = api.orders(status="overdue")
    assert (order["complaint_id"], order["minutes_left"]) == (complaint_id, -30.0)
    assert api.report()["late"] == 1
