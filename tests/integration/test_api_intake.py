"""intake over HTTP: POST /complaints, GET /complaints/{id} (contract.md, "intake")."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from shared.eventstore.schema import idempotency_keys
from shared.policy import load_policy
from tests.integration.api_support import (
    ROLES,
    T0,
    Api,
    aware,
    complaint_body,
    error_of,
    open_api,
    staff_body,
)


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def _post(api: Api, body: Any, role: str = "desk", **headers: str) -> Any:
    return api.intake.post("/complaints", headers=api.auth(role) | headers, json=body)


# ------------------------------------------------------------------ registering


def test_a_registration_answers_201_with_id_status_and_an_offset_time(api: Api) -> None:
    response = _post(api, complaint_body())
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"complaint_id", "status", "registered_at"}
    uuid.UUID(body["complaint_id"])
    assert body["status"] == "registered"
    assert aware(body["registered_at"]) == T0


def test_the_contract_example_registration_is_accepted(api: Api) -> None:
    example = {
        "channel": "kiosk", "community": "荔园一期", "unit": "3-1502", "customer_name": "张三",
        "phone": "13800138000", "description": "厨房天花板漏水", "category": "repair.in_unit",
        "appointment": {"start": "2026-11-30T09:00:00+08:00", "end": "2026-11-30T12:00:00+08:00"},
        "severity": "normal", "read_back_confirmed": True, "received_by": "desk-07",
    }
    assert _post(api, example).status_code == 201


@pytest.mark.parametrize("role", ROLES)
def test_every_role_may_register_a_complaint(api: Api, role: str) -> None:
    body = complaint_body() if role == "kiosk" else staff_body()
    assert _post(api, body, role).status_code == 201


def test_the_same_idempotency_key_and_body_twice_registers_one_complaint(api: Api) -> None:
    first = _post(api, complaint_body(), "kiosk", **{"Idempotency-Key": "k-1"})
    api.advance(seconds=30)
    again = _post(api, complaint_body(), "kiosk", **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert api.registrations() == 1


def test_idempotency_keys_and_events_are_stamped_with_the_services_clock(api: Api) -> None:
    api.advance(days=2)
    assert _post(api, complaint_body(), "kiosk", **{"Idempotency-Key": "k-t"}).status_code == 201
    with api.store.engine.connect() as conn:
        created_at = conn.execute(sa.select(idempotency_keys.c.created_at)).scalar_one()
    assert created_at == api.clock.at
    [registration] = api.store.read_all()
    assert registration.recorded_at == api.clock.at


def test_the_same_idempotency_key_from_another_token_registers_a_new_complaint(
    api: Api,
) -> None:
    first = _post(api, staff_body(), "desk", **{"Idempotency-Key": "shared-key"})
    other = _post(api, staff_body(), "desk-07", **{"Idempotency-Key": "shared-key"})
    assert first.status_code == other.status_code == 201
    assert first.json()["complaint_id"] != other.json()["complaint_id"]
    assert api.registrations() == 2


def test_the_same_idempotency_key_with_another_body_is_422_naming_the_header(api: Api) -> None:
    assert _post(api, complaint_body(), "kiosk", **{"Idempotency-Key": "k-2"}).status_code == 201
    response = _post(api, complaint_body(unit="9-0901"), "kiosk", **{"Idempotency-Key": "k-2"})
    assert response.status_code == 422
    error = error_of(response)
    assert "Idempotency-Key" in error["fields"]
    assert "Idempotency-Key" in error["message"]
    assert api.registrations() == 1


def test_without_an_idempotency_key_a_repeat_registers_twice(api: Api) -> None:
    assert _post(api, complaint_body()).status_code == 201
    assert _post(api, complaint_body()).status_code == 201
    assert api.registrations() == 2


@pytest.mark.parametrize("channel", ["visit", "phone", "staff"])
@pytest.mark.parametrize("missing", ["read_back_confirmed", "received_by"])
def test_a_complaint_a_person_took_needs_read_back_and_receiver_p5(
    api: Api, channel: str, missing: str
) -> None:
    body = staff_body(channel=channel)
    del body[missing]
    response = _post(api, body)
    assert response.status_code == 422
    error = error_of(response)
    assert missing in error["fields"]
    assert "P-5" in error["message"]
    assert api.registrations() == 0


def test_a_read_back_that_was_not_confirmed_is_refused_p5(api: Api) -> None:
    response = _post(api, staff_body(read_back_confirmed=False))
    assert response.status_code == 422
    error = error_of(response)
    assert "read_back_confirmed" in error["fields"]
    assert "P-5" in error["message"]


def test_a_kiosk_complaint_needs_no_read_back(api: Api) -> None:
    assert _post(api, complaint_body(channel="kiosk"), "kiosk").status_code == 201


@pytest.mark.parametrize("phone", ["12345", "1380013800", "138001380001", "23800138000",
                                   "phone-me", "0755-123", "+1 555 0100"])
def test_a_phone_that_is_neither_mobile_nor_landline_is_422_naming_phone(
    api: Api, phone: str
) -> None:
    response = _post(api, complaint_body(phone=phone))
    assert response.status_code == 422
    assert "phone" in error_of(response)["fields"]


@pytest.mark.parametrize("phone", ["0755-86001234", "13800138000", "075586001234"])
def test_a_mobile_or_a_landline_with_area_code_is_accepted(api: Api, phone: str) -> None:
    assert _post(api, complaint_body(phone=phone)).status_code == 201


def test_a_description_of_2000_characters_is_accepted_and_2001_refused(api: Api) -> None:
    assert _post(api, complaint_body(description="漏" * 2000)).status_code == 201
    response = _post(api, complaint_body(description="漏" * 2001))
    assert response.status_code == 422
    assert "description" in error_of(response)["fields"]


@pytest.mark.parametrize("field", ["community", "unit", "customer_name", "received_by"])
def test_other_text_over_200_characters_is_422_naming_it(api: Api, field: str) -> None:
    assert _post(api, staff_body(**{field: "x" * 200})).status_code == 201
    response = _post(api, staff_body(**{field: "x" * 201}))
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_an_unknown_field_is_422_naming_it(api: Api) -> None:
    response = _post(api, complaint_body(colour="red"))
    assert response.status_code == 422
    assert "colour" in error_of(response)["fields"]


def test_an_unknown_field_inside_the_appointment_is_422_naming_it(api: Api) -> None:
    appointment = {"start": "2026-10-06T09:00:00+08:00", "end": "2026-10-06T12:00:00+08:00",
                   "room": "kitchen"}
    response = _post(api, complaint_body(appointment=appointment))
    assert response.status_code == 422
    assert "appointment.room" in error_of(response)["fields"]


@pytest.mark.parametrize("field", ["community", "unit", "customer_name", "phone",
                                   "description", "channel"])
def test_a_missing_required_fact_is_422_naming_it(api: Api, field: str) -> None:
    body = complaint_body()
    del body[field]
    response = _post(api, body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_a_blank_description_is_422(api: Api) -> None:
    response = _post(api, complaint_body(description="   "))
    assert response.status_code == 422
    assert "description" in error_of(response)["fields"]


def test_a_body_over_64_kib_is_413(api: Api) -> None:
    body = complaint_body(description="x" * (70 * 1024))
    response = _post(api, body)
    assert response.status_code == 413
    assert error_of(response)["code"] == "body_too_large"
    assert api.registrations() == 0


def test_no_token_is_401(api: Api) -> None:
    response = api.intake.post("/complaints", json=complaint_body())
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_an_unknown_token_is_401(api: Api) -> None:
    response = api.intake.post("/complaints", json=complaint_body(),
                               headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


def test_a_malformed_authorization_header_is_401(api: Api) -> None:
    response = api.intake.post("/complaints", json=complaint_body(),
                               headers={"Authorization": api.tokens["desk"]})
    assert response.status_code == 401


def test_an_unknown_category_is_422_naming_category(api: Api) -> None:
    response = _post(api, complaint_body(category="repair.spaceship"))
    assert response.status_code == 422
    assert "category" in error_of(response)["fields"]
    assert api.registrations() == 0


def test_an_appointment_ending_before_it_starts_is_422(api: Api) -> None:
    appointment = {"start": "2026-10-06T12:00:00+08:00", "end": "2026-10-06T09:00:00+08:00"}
    response = _post(api, complaint_body(appointment=appointment))
    assert response.status_code == 422
    assert any(name.startswith("appointment") for name in error_of(response)["fields"])


def test_an_appointment_without_an_offset_is_422(api: Api) -> None:
    appointment = {"start": "2026-10-06T09:00:00", "end": "2026-10-06T12:00:00"}
    response = _post(api, complaint_body(appointment=appointment))
    assert response.status_code == 422
    assert any(name.startswith("appointment") for name in error_of(response)["fields"])


@pytest.mark.parametrize("field, value", [("channel", "email"), ("severity", "urgent")])
def test_a_channel_or_severity_outside_the_list_is_422_naming_it(
    api: Api, field: str, value: str
) -> None:
    response = _post(api, complaint_body(**{field: value}))
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


# ------------------------------------------------------------------ routing after intake


def test_without_a_category_the_keywords_route_the_complaint(api: Api) -> None:
    complaint_id = api.new_order(category=None, description="小区门口有人发传单推销")
    shown = api.complaint(complaint_id)
    assert (shown["category"], shown["department"]) == ("intruder.sales", "security")


def test_without_a_category_or_a_keyword_the_fallback_category_takes_it(api: Api) -> None:
    complaint_id = api.new_order(category=None, description="想问一下物业费怎么交")
    shown = api.complaint(complaint_id)
    assert (shown["category"], shown["department"]) == ("other", "customer_service")


def test_the_appointment_end_is_the_due_time(api: Api) -> None:
    appointment = {"start": "2026-10-06T09:00:00+08:00", "end": "2026-10-06T12:00:00+08:00"}
    complaint_id = api.new_order(category="repair.common_area", appointment=appointment)
    assert aware(api.complaint(complaint_id)["due_at"]) == aware(appointment["end"])


def test_a_serious_complaint_is_escalated_when_routed_p12(api: Api) -> None:
    complaint_id = api.new_order(category="security.safety", severity="serious")
    types = [entry["type"] for entry in api.complaint(complaint_id, "leadership")["history"]]
    assert "complaint.escalated" in types


# ------------------------------------------------------------------ reading one complaint


@pytest.mark.parametrize("role", ["desk", "manager", "leadership"])
def test_desk_manager_and_leadership_see_a_complaint_with_its_history(
    api: Api, role: str
) -> None:
    complaint_id = api.register("desk-07", **staff_body(category="cleaning.common_area"))
    api.route(complaint_id)
    shown = api.complaint(complaint_id, role)
    assert shown["complaint_id"] == complaint_id
    assert shown["status"] == "dispatched"
    assert shown["department"] == "environment"
    assert aware(shown["due_at"]) == T0 + timedelta(hours=4)  # 4 h commitment
    history = shown["history"]
    assert [entry["type"] for entry in history] == [
        "complaint.registered", "complaint.routed", "workorder.dispatched"]
    for entry in history:
        assert set(entry) == {"type", "occurred_at", "actor", "data"}
        aware(entry["occurred_at"])
        assert isinstance(entry["data"], dict)
    assert history[0]["actor"] == "desk-07"  # the token's name
    assert history[0]["data"]["unit"] == "3-1502"


def test_the_history_names_a_token_without_a_name_by_its_role(api: Api) -> None:
    complaint_id = api.register("kiosk")
    assert api.complaint(complaint_id)["history"][0]["actor"] == "kiosk"


def test_the_history_grows_in_order_as_the_order_is_worked(api: Api) -> None:
    complaint_id = api.new_order("cleaning.common_area")
    api.advance(minutes=10)
    api.work(complaint_id, "environment")
    history = api.complaint(complaint_id)["history"]
    assert [entry["type"] for entry in history] == [
        "complaint.registered", "complaint.routed", "workorder.dispatched",
        "workorder.accepted", "workorder.assigned", "workorder.completed"]
    moments: list[datetime] = [aware(entry["occurred_at"]) for entry in history]
    assert moments == sorted(moments)
    assert history[-1]["actor"] == "department:environment"


def test_the_department_holding_a_complaint_sees_it(api: Api) -> None:
    complaint_id = api.new_order("cleaning.common_area")
    shown = api.complaint(complaint_id, "department:environment")
    assert shown["department"] == "environment"


def test_another_department_gets_403_for_a_complaint(api: Api) -> None:
    complaint_id = api.new_order("cleaning.common_area")
    response = api.intake.get(f"/complaints/{complaint_id}",
                              headers=api.auth("department:engineering"))
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_a_department_gets_403_for_a_complaint_not_yet_routed(api: Api) -> None:
    complaint_id = api.register()
    response = api.intake.get(f"/complaints/{complaint_id}",
                              headers=api.auth("department:customer_service"))
    assert response.status_code == 403


def test_a_kiosk_gets_403_reading_a_complaint(api: Api) -> None:
    complaint_id = api.register("kiosk")
    response = api.intake.get(f"/complaints/{complaint_id}", headers=api.auth("kiosk"))
    assert response.status_code == 403


def test_reading_without_a_token_is_401(api: Api) -> None:
    complaint_id = api.register()
    assert api.intake.get(f"/complaints/{complaint_id}").status_code == 401


def test_an_unknown_complaint_is_404(api: Api) -> None:
    response = api.intake.get(f"/complaints/{uuid.uuid4()}", headers=api.auth("desk"))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("bad_id", ["42", "not-a-uuid", "1' OR '1'='1", "%00"])
def test_a_complaint_id_that_is_no_uuid_is_422_not_500(api: Api, bad_id: str) -> None:
    response = api.intake.get(f"/complaints/{bad_id}", headers=api.auth("desk"))
    assert response.status_code == 422
    assert "complaint_id" in error_of(response)["fields"]


def test_the_openapi_document_lists_the_policys_categories_for_kiosks(api: Api) -> None:
    document = api.intake.get("/openapi.json").json()
    field = document["components"]["schemas"]["ComplaintCreate"]["properties"]["category"]
    [text] = [option for option in field["anyOf"] if option.get("type") == "string"]
    assert text["enum"] == list(load_policy().categories)
