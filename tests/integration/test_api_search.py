"""Finding complaints over HTTP: GET /complaints on intake (issue 6, contract "The rest").

Every status (those on no board too), by unit, phone (full or last four digits),
status, community, category, department and registration time; newest first, paged;
a department finds only what it holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.api_support import T0, Api, aware, error_of, open_api


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def search(api: Api, role: str = "desk", **query: Any) -> httpx.Response:
    return api.intake.get("/complaints", headers=api.auth(role), params=query)


def found(api: Api, role: str = "desk", **query: Any) -> list[str]:
    response = search(api, role, **query)
    assert response.status_code == 200, response.text
    return [row["complaint_id"] for row in response.json()["complaints"]]


def test_a_complaint_awaiting_a_decision_or_a_quote_is_found_though_on_no_board(
    api: Api,
) -> None:
    waiting = api.new_order("repair.in_unit", description="厨房水龙头漏水")
    quoting = api.new_order("cleaning.in_unit", description="请安排家庭保洁")
    registered = api.register()  # not routed yet
    assert api.orders(status="all") == []  # on no board

    assert set(found(api)) == {waiting, quoting, registered}
    assert found(api, status="awaiting_decision") == [waiting]
    assert found(api, status="awaiting_quote") == [quoting]
    assert found(api, status="registered") == [registered]


def test_a_summary_row_names_the_complaint_its_place_category_department_status_and_due(
    api: Api,
) -> None:
    complaint_id = api.new_order("cleaning.common_area", unit="5-0801")
    [row] = search(api, unit="5-0801").json()["complaints"]
    assert row["complaint_id"] == complaint_id
    assert aware(row["registered_at"]) == T0
    assert (row["community"], row["unit"], row["category"], row["department"],
            row["status"]) == ("荔园一期", "5-0801", "cleaning.common_area", "environment",
                               "dispatched")
    assert aware(row["due_at"]) == aware(api.complaint(complaint_id)["due_at"])
    assert row["phone"] == api.complaint(complaint_id)["phone"]


def test_withdrawn_and_closed_complaints_are_found_too(api: Api) -> None:
    withdrawn = api.new_order("other")
    response = api.post(api.intake, f"/complaints/{withdrawn}/withdraw", "desk",
                        {"reason": "自己修好了"})
    assert response.status_code == 200, response.text
    closed = api.new_order("repair.common_area")
    api.work(closed, "engineering")
    assert api.sign_off(closed).status_code == 200

    assert found(api, status="withdrawn") == [withdrawn]
    assert found(api, status="closed") == [closed]


def test_a_search_reads_its_own_writes(api: Api) -> None:
    assert found(api) == []
    complaint_id = api.register()
    assert found(api) == [complaint_id]
    api.route(complaint_id)
    assert found(api, status="dispatched") == [complaint_id]


def test_by_phone_the_full_number_or_its_last_four_digits(api: Api) -> None:
    mobile = api.register(phone="13800138000")
    landline = api.register(phone="0755-86001234")
    api.register(phone="13900139999")

    assert found(api, phone="13800138000") == [mobile]
    assert found(api, phone="8000") == [mobile]
    assert found(api, phone="1234") == [landline]
    assert found(api, phone="075586001234") == [landline]
    assert found(api, phone="0755-86001234") == [landline]
    assert found(api, phone="13800130000") == []


@pytest.mark.parametrize("phone", ["800", "13800", "abcd", "1380013800099", "8000x"])
def test_a_phone_that_is_neither_a_number_nor_four_digits_is_422_naming_phone(
    api: Api, phone: str,
) -> None:
    response = search(api, phone=phone)
    assert response.status_code == 422
    assert "phone" in error_of(response)["fields"]


def test_by_unit_community_category_and_department(api: Api) -> None:
    first = api.new_order("repair.common_area", unit="1-0101", community="荔园一期")
    second = api.new_order("cleaning.common_area", unit="1-0101", community="荔园二期")
    third = api.new_order("repair.common_area", unit="2-0202", community="荔园二期")

    assert set(found(api, unit="1-0101")) == {first, second}
    assert set(found(api, community="荔园二期")) == {second, third}
    assert set(found(api, category="repair.common_area")) == {first, third}
    assert found(api, department="environment") == [second]
    assert found(api, unit="1-0101", community="荔园二期") == [second]


def test_empty_parameters_as_a_form_sends_them_filter_nothing(api: Api) -> None:
    complaint_id = api.register()
    assert found(api, unit="", phone="", status="", community="", **{"from": "", "to": ""}
                 ) == [complaint_id]


def test_newest_first_a_page_at_a_time_with_the_total(api: Api) -> None:
    ids = []
    for _ in range(5):
        ids.append(api.register())
        api.advance(minutes=10)
    newest_first = list(reversed(ids))

    page = search(api, limit=2, offset=1).json()
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert [row["complaint_id"] for row in page["complaints"]] == newest_first[1:3]
    assert found(api) == newest_first
    default = search(api).json()
    assert (default["limit"], default["offset"]) == (50, 0)
    assert found(api, offset=5) == []


def test_by_registration_day_in_local_time_or_by_moment(api: Api) -> None:
    api.advance(hours=13, minutes=30)  # 2026-10-05 23:30 in Shanghai, 15:30 UTC
    late_on_the_fifth = api.register()
    api.advance(minutes=40)  # 2026-10-06 00:10 in Shanghai, still the 5th in UTC
    early_on_the_sixth = api.register()

    fifth = {"from": "2026-10-05", "to": "2026-10-05"}
    assert found(api, **fifth) == [late_on_the_fifth]
    assert found(api, **{"from": "2026-10-06"}) == [early_on_the_sixth]
    assert found(api, to="2026-10-05") == [late_on_the_fifth]
    assert found(api, **{"from": "2026-10-05T23:30:00+08:00",
                         "to": "2026-10-05T23:30:00+08:00"}) == [late_on_the_fifth]
    assert found(api, **{"from": "2026-10-05T16:00:00Z"}) == [early_on_the_sixth]


@pytest.mark.parametrize(("field", "value"), [
    ("from", "2026-13-01"), ("from", "yesterday"), ("to", "2026-10-05T10:00:00"),
    ("to", "0001-01-01"), ("status", "open"), ("department", "plumbing"),
    ("limit", "0"), ("limit", "201"), ("limit", "many"), ("offset", "-1"),
])
def test_a_bad_filter_is_422_naming_it(api: Api, field: str, value: str) -> None:
    response = search(api, **{field: value})
    assert response.status_code == 422, response.text
    assert field in error_of(response)["fields"]


def test_to_before_from_is_422_naming_to(api: Api) -> None:
    response = search(api, **{"from": "2026-10-06", "to": "2026-10-05"})
    assert response.status_code == 422
    assert "to" in error_of(response)["fields"]


def test_a_department_finds_only_what_it_holds_now(api: Api) -> None:
    engineering = api.new_order("repair.common_area")
    environment = api.new_order("cleaning.common_area")
    api.new_order("repair.in_unit")  # engineering's once settled; held by it already

    mine = found(api, "department:engineering")
    assert engineering in mine and environment not in mine
    assert found(api, "department:environment") == [environment]
    assert found(api, "department:environment", department="environment") == [environment]
    refused = search(api, "department:environment", department="engineering")
    assert refused.status_code == 403


@pytest.mark.parametrize("role", ["desk", "manager", "leadership"])
def test_desk_manager_and_leadership_find_every_complaint(api: Api, role: str) -> None:
    ids = {api.new_order("repair.common_area"), api.new_order("cleaning.common_area")}
    assert set(found(api, role)) == ids


def test_a_kiosk_may_not_search_and_no_token_is_401(api: Api) -> None:
    assert search(api, "kiosk").status_code == 403
    assert api.intake.get("/complaints").status_code == 401


def test_the_existing_single_complaint_read_is_unchanged(api: Api) -> None:
    complaint_id = api.register()
    assert api.complaint(complaint_id)["complaint_id"] == complaint_id
