"""Correcting the record over HTTP (P-5, P-9): ``POST /complaints/{id}/amend`` (intake),
``POST /orders/{id}/reschedule`` and ``POST /orders/{id}/missed-appointment`` (tracker)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from shared.domain.events import WorkOrderRescheduled
from shared.events import routing_key_for
from shared.messaging.topology import BINDINGS
from tests.integration.api_support import T0, Api, aware, error_of, open_api


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def amend(api: Api, complaint_id: str, role: str = "desk", **body: Any) -> Any:
    return api.post(api.intake, f"/complaints/{complaint_id}/amend", role, body)


def booked(start_hours: float, end_hours: float) -> dict[str, str]:
    return {"start": (T0 + timedelta(hours=start_hours)).isoformat(),
            "end": (T0 + timedelta(hours=end_hours)).isoformat()}


# ------------------------------------------------------------------ amend (P-5)


def test_an_amendment_shows_the_current_values_and_the_history_keeps_both(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = amend(api, complaint_id, unit="3-1503", phone="13900139000",
                     reason="客户说错了门牌和电话")
    assert response.status_code == 200, response.text
    shown = api.complaint(complaint_id)
    assert (shown["unit"], shown["phone"]) == ("3-1503", "13900139000")
    entry = shown["history"][-1]
    assert entry["type"] == "complaint.amended"
    assert entry["data"]["reason"] == "客户说错了门牌和电话"
    assert entry["data"]["changes"] == [
        {"field": "unit", "old": "3-1502", "new": "3-1503"},
        {"field": "phone", "old": "13800138000", "new": "13900139000"}]
    assert shown["history"][0]["data"]["unit"] == "3-1502"  # the registration as written
    [order] = api.orders()
    assert order["unit"] == "3-1503"


def test_an_amendment_with_only_a_reason_is_422_naming_the_body(api: Api) -> None:
    complaint_id = api.new_order()
    response = amend(api, complaint_id, reason="核对")
    assert response.status_code == 422
    assert "body" in error_of(response)["fields"]


def test_an_amended_phone_is_checked_like_a_registration_s(api: Api) -> None:
    complaint_id = api.new_order()
    response = amend(api, complaint_id, phone="12345", reason="改电话")
    assert response.status_code == 422
    assert "phone" in error_of(response)["fields"]


def test_a_category_corrected_before_dispatch_is_routed_again(api: Api) -> None:
    complaint_id = api.new_order("repair.in_unit")  # waits for the free/paid decision
    assert api.complaint(complaint_id)["status"] == "awaiting_decision"
    response = amend(api, complaint_id, category="cleaning.common_area", reason="是公共区域")
    assert response.status_code == 200, response.text
    shown = response.json()
    assert (shown["status"], shown["department"]) == ("dispatched", "environment")
    assert aware(shown["due_at"]) == T0 + timedelta(hours=4)


def test_a_category_corrected_after_dispatch_keeps_the_department(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = amend(api, complaint_id, category="facility.damage", reason="是设施损坏")
    assert response.status_code == 200, response.text
    shown = response.json()
    assert (shown["category"], shown["department"]) == ("facility.damage", "engineering")
    assert shown["status"] == "dispatched"


def test_a_closed_complaint_cannot_be_amended_409_naming_p5(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering")
    assert api.sign_off(complaint_id).status_code == 200
    response = amend(api, complaint_id, unit="9-9", reason="晚了")
    assert response.status_code == 409
    assert "P-5" in error_of(response)["message"]


def test_only_the_desk_amends(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    assert amend(api, complaint_id, "department:engineering", unit="9-9",
                 reason="x").status_code == 403


# ------------------------------------------------------------------ reschedule (P-9)


def test_the_customer_s_reschedule_moves_the_due_time_as_the_customer_s(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")  # due T0 + 24 h
    response = api.order_step(complaint_id, "reschedule", "desk",
                              {"appointment": booked(48, 51), "reason": "客户出差"})
    assert response.status_code == 200, response.text
    assert aware(response.json()["due_at"]) == T0 + timedelta(hours=51)
    [order] = api.orders()
    assert aware(order["due_at"]) == T0 + timedelta(hours=51)
    entry = api.complaint(complaint_id)["history"][-1]
    assert entry["type"] == "workorder.rescheduled"
    assert entry["data"]["requested_by"] == "customer"
    assert aware(entry["data"]["old_due_at"]) == T0 + timedelta(hours=24)
    assert aware(entry["data"]["due_at"]) == T0 + timedelta(hours=51)


def test_after_a_reschedule_timeliness_judges_against_the_new_due_time(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.order_step(complaint_id, "reschedule", "desk", {"appointment": booked(48, 51)})
    api.advance(hours=30)  # past the first due time, before the new one
    api.work(complaint_id, "engineering")
    report = api.reporting.get("/reports/monthly", headers=api.auth("manager"),
                               params={"month": "2026-10"}).json()
    assert (report["timely"], report["late"]) == (1, 0)


def test_a_reschedule_with_a_booked_time_already_over_is_422(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = api.order_step(complaint_id, "reschedule", "desk",
                              {"appointment": booked(-3, -1)})
    assert response.status_code == 422
    assert "appointment.end" in error_of(response)["fields"]


def test_a_completed_order_cannot_be_rescheduled_409_naming_p9(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering")
    response = api.order_step(complaint_id, "reschedule", "desk",
                              {"appointment": booked(48, 51)})
    assert response.status_code == 409
    assert "P-9" in error_of(response)["message"]


def test_the_department_queue_hears_of_a_reschedule() -> None:
    key = routing_key_for(WorkOrderRescheduled.type, "engineering")
    assert key == "workorder.rescheduled.engineering"
    assert key in BINDINGS["dept.engineering"]


# ------------------------------------------------------------------ missed appointment (P-9)


def test_a_missed_appointment_counts_against_the_department_in_the_monthly_report(
        api: Api) -> None:
    complaint_id = api.new_order("repair.common_area", appointment=booked(2, 5))
    api.advance(hours=3)
    response = api.order_step(complaint_id, "missed-appointment", "desk", {"note": "师傅没来"})
    assert response.status_code == 200, response.text
    entry = api.complaint(complaint_id)["history"][-1]
    assert entry["type"] == "workorder.appointment_missed"
    assert entry["data"]["department"] == "engineering"
    report = api.reporting.get("/reports/monthly", headers=api.auth("manager"),
                               params={"month": "2026-10"}).json()
    assert report["by_department"]["engineering"]["missed_appointments"] == 1
    assert report["missed_appointments"] == 1


def test_an_order_without_a_booked_time_has_none_to_miss_409(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = api.order_step(complaint_id, "missed-appointment", "desk")
    assert response.status_code == 409
    assert "P-9" in error_of(response)["message"]


def test_a_completed_order_s_appointment_cannot_be_recorded_missed(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area", appointment=booked(2, 5))
    api.advance(hours=3)
    api.work(complaint_id, "engineering")
    response = api.order_step(complaint_id, "missed-appointment", "desk")
    assert response.status_code == 409
