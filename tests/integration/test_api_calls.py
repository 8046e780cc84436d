"""The call record over HTTP: POST /calls (desk), GET /calls?date= (P-4, form 7.2)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.api_support import ROLES, T0, Api, aware, error_of, open_api


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def call_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"caller": "李四", "phone": "13900139000", "received_by": "desk-07",
                            "summary": "询问物业费缴纳时间", "complaint_id": None}
    body.update(changes)
    return body


def record(api: Api, body: dict[str, Any] | None = None, role: str = "desk",
           **headers: str) -> httpx.Response:
    return api.intake.post("/calls", headers=api.auth(role) | headers,
                           json=call_body() if body is None else body)


def calls_on(api: Api, date: str | None = None, role: str = "desk") -> httpx.Response:
    params = {} if date is None else {"date": date}
    return api.intake.get("/calls", headers=api.auth(role), params=params)


def listed(api: Api, date: str | None = None) -> list[dict[str, Any]]:
    response = calls_on(api, date)
    assert response.status_code == 200, response.text
    return [moments_read(call) for call in response.json()["calls"]]


def moments_read(call: dict[str, Any]) -> dict[str, Any]:
    """The call with its time read (the same moment may be written with another offset)."""
    return call | {"received_at": aware(call["received_at"])}


def test_a_call_that_is_no_complaint_is_recorded_and_listed_on_its_day(api: Api) -> None:
    response = record(api, role="desk-07")
    assert response.status_code == 201, response.text
    call = response.json()
    uuid.UUID(call["call_id"])
    assert aware(call["received_at"]) == T0
    assert {k: call[k] for k in ("caller", "phone", "received_by", "summary", "complaint_id",
                                 "recorded_by")} == {
        "caller": "李四", "phone": "13900139000", "received_by": "desk-07",
        "summary": "询问物业费缴纳时间", "complaint_id": None, "recorded_by": "desk-07"}

    assert listed(api, "2026-10-05") == [moments_read(call)]
    assert listed(api) == [moments_read(call)]  # today, in the company's time zone


def test_the_call_is_an_event_in_a_stream_of_its_own(api: Api) -> None:
    call_id = record(api).json()["call_id"]
    [event] = api.store.read_stream(f"call-{call_id}")
    assert event.type == "call.recorded"
    assert event.payload["summary"] == "询问物业费缴纳时间"
    assert api.registrations() == 0  # a call is no complaint


def test_a_call_that_raised_a_complaint_is_linked_to_it(api: Api) -> None:
    complaint_id = api.register("desk", channel="phone", read_back_confirmed=True,
                                received_by="desk-07")
    response = record(api, call_body(complaint_id=complaint_id, summary="报修：厨房漏水"))
    assert response.status_code == 201, response.text
    assert response.json()["complaint_id"] == complaint_id
    assert [c["complaint_id"] for c in listed(api, "2026-10-05")] == [complaint_id]


@pytest.mark.parametrize("complaint_id", [str(uuid.uuid4()), "not-a-uuid", 42])
def test_a_complaint_id_that_names_no_complaint_is_422_naming_it(
    api: Api, complaint_id: Any,
) -> None:
    response = record(api, call_body(complaint_id=complaint_id))
    assert response.status_code == 422, response.text
    assert "complaint_id" in error_of(response)["fields"]
    assert listed(api, "2026-10-05") == []


@pytest.mark.parametrize(("field", "value"), [
    ("caller", ""), ("phone", "12345"), ("received_by", " "), ("summary", "x" * 201),
    ("summary", None),
])
def test_an_incomplete_call_record_is_422_naming_the_field(
    api: Api, field: str, value: Any,
) -> None:
    body = call_body(**{field: value})
    if value is None:
        del body[field]
    response = record(api, body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_an_unknown_field_is_refused(api: Api) -> None:
    response = record(api, call_body(duration=5))
    assert response.status_code == 422
    assert "duration" in error_of(response)["fields"]


def test_a_day_is_the_company_s_local_day(api: Api) -> None:
    api.advance(hours=13, minutes=30)  # 2026-10-05 23:30 in Shanghai
    late = record(api).json()["call_id"]
    api.advance(minutes=40)  # 2026-10-06 00:10 in Shanghai, 16:10 UTC on the 5th
    early = record(api).json()["call_id"]
    api.advance(minutes=5)
    later = record(api).json()["call_id"]

    assert [c["call_id"] for c in listed(api, "2026-10-05")] == [late]
    assert [c["call_id"] for c in listed(api, "2026-10-06")] == [early, later]
    assert listed(api, "2026-10-07") == []
    body = calls_on(api, "2026-10-06").json()
    assert (body["date"], body["timezone"]) == ("2026-10-06", "Asia/Shanghai")


@pytest.mark.parametrize("date", ["2026-10-32", "05/10/2026", "2026-10-05T00:00:00+08:00",
                                  "9999-12-31"])
def test_a_bad_date_is_422_naming_date(api: Api, date: str) -> None:
    response = calls_on(api, date)
    assert response.status_code == 422
    assert "date" in error_of(response)["fields"]


def test_the_same_idempotency_key_twice_records_one_call(api: Api) -> None:
    first = record(api, **{"Idempotency-Key": "call-1"})
    api.advance(seconds=30)
    again = record(api, **{"Idempotency-Key": "call-1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert len(listed(api, "2026-10-05")) == 1
    other = record(api, call_body(summary="另一通电话"), **{"Idempotency-Key": "call-1"})
    assert other.status_code == 422
    assert "Idempotency-Key" in error_of(other)["fields"]


@pytest.mark.parametrize("role", [r for r in ROLES if r != "desk"])
def test_only_the_desk_records_calls(api: Api, role: str) -> None:
    assert record(api, role=role).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_desk_manager_and_leadership_read_the_calls(api: Api, role: str) -> None:
    expected = 200 if role in ("desk", "manager", "leadership") else 403
    assert calls_on(api, "2026-10-05", role).status_code == expected


def test_no_token_is_401(api: Api) -> None:
    assert api.intake.post("/calls", json=call_body()).status_code == 401
    assert api.intake.get("/calls").status_code == 401
