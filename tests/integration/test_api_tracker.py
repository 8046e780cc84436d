"""tracker over HTTP: the board and the work order's steps (contract.md, "tracker")."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from services.dispatcher.chase_scheduler import ChaseScheduler
from tests.integration.api_support import T0, Api, aware, error_of, open_api

ORDER_FIELDS = {"complaint_id", "community", "unit", "category", "department", "description",
                "status", "team", "dispatched_at", "due_at", "overdue"}


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def _ids(orders: list[dict[str, object]]) -> list[object]:
    return [order["complaint_id"] for order in orders]


# ------------------------------------------------------------------ the board


def test_orders_are_sorted_by_time_left_before_breach(api: Api) -> None:
    slow = api.new_order("other")                       # 24 h
    api.advance(minutes=1)
    medium = api.new_order("cleaning.common_area")      # 4 h
    api.advance(minutes=1)
    fast = api.new_order("intruder.sales")              # 30 min
    assert _ids(api.orders()) == [fast, medium, slow]


def test_an_order_carries_exactly_the_contract_fields(api: Api) -> None:
    complaint_id = api.new_order("cleaning.common_area", unit="7-0303",
                                 description="楼道里有垃圾")
    [order] = api.orders()
    assert set(order) >= ORDER_FIELDS  # plus completed_at, minutes_left (extensions)
    assert order["complaint_id"] == complaint_id
    assert (order["community"], order["unit"]) == ("荔园一期", "7-0303")
    assert (order["category"], order["department"]) == ("cleaning.common_area", "environment")
    assert order["description"] == "楼道里有垃圾"
    assert (order["status"], order["team"], order["overdue"]) == ("dispatched", None, False)
    assert aware(order["dispatched_at"]) == T0
    assert aware(order["due_at"]) == T0 + timedelta(hours=4)


def test_a_complaint_not_yet_routed_is_not_on_the_board(api: Api) -> None:
    api.register()
    assert api.orders(status="all") == []


def test_a_department_sees_only_its_own_orders(api: Api) -> None:
    mine = api.new_order("cleaning.common_area")
    api.new_order("repair.common_area")
    api.new_order("intruder.sales")
    assert _ids(api.orders("department:environment")) == [mine]
    assert _ids(api.orders("department:environment", department="environment")) == [mine]
    for view in ("open", "overdue", "all"):
        for order in api.orders("department:environment", status=view):
            assert order["department"] == "environment"


def test_a_department_asking_for_another_departments_orders_is_403(api: Api) -> None:
    api.new_order("repair.common_area")
    response = api.tracker.get("/orders", headers=api.auth("department:environment"),
                               params={"department": "engineering"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


@pytest.mark.parametrize("role", ["desk", "manager", "leadership"])
def test_desk_manager_and_leadership_see_every_department(api: Api, role: str) -> None:
    ids = {api.new_order(c) for c in ("cleaning.common_area", "repair.common_area", "other")}
    assert set(_ids(api.orders(role))) == ids


def test_the_desk_filters_by_department_and_community(api: Api) -> None:
    here = api.new_order("cleaning.common_area", community="荔园二期")
    api.new_order("cleaning.common_area")
    api.new_order("repair.common_area", community="荔园二期")
    assert _ids(api.orders(department="environment", community="荔园二期")) == [here]


def test_a_kiosk_may_not_read_the_board(api: Api) -> None:
    response = api.tracker.get("/orders", headers=api.auth("kiosk"))
    assert response.status_code == 403


def test_the_board_needs_a_token(api: Api) -> None:
    assert api.tracker.get("/orders").status_code == 401


def test_an_unknown_status_view_is_422_naming_status(api: Api) -> None:
    response = api.tracker.get("/orders", headers=api.auth("desk"), params={"status": "late"})
    assert response.status_code == 422
    assert "status" in error_of(response)["fields"]


def test_overdue_flips_when_the_clock_passes_the_due_time(api: Api) -> None:
    complaint_id = api.new_order("intruder.sales")  # 30 min
    api.advance(minutes=30)
    [order] = api.orders()
    assert order["overdue"] is False  # due at this very moment: not yet past
    assert api.orders(status="overdue") == []
    api.advance(seconds=1)
    [order] = api.orders()
    assert order["overdue"] is True
    assert _ids(api.orders(status="overdue")) == [complaint_id]


def test_a_completed_order_is_not_overdue(api: Api) -> None:
    complaint_id = api.new_order("intruder.sales")
    api.advance(hours=1)
    api.work(complaint_id, "security")
    [order] = api.orders()
    assert (order["status"], order["overdue"]) == ("completed", False)
    assert api.orders(status="overdue") == []


def test_open_excludes_closed_orders_and_all_includes_them(api: Api) -> None:
    closed = api.new_order("cleaning.common_area")
    still_open = api.new_order("other")
    api.work(closed, "environment")
    assert api.sign_off(closed).status_code == 200
    assert _ids(api.orders()) == [still_open]
    assert _ids(api.orders(status="open")) == [still_open]
    assert set(_ids(api.orders(status="all"))) == {closed, still_open}
    [shown] = [o for o in api.orders(status="all") if o["complaint_id"] == closed]
    assert shown["status"] == "closed"


# ------------------------------------------------------------------ the order's steps


def test_accept_assign_complete_and_sign_off_close_the_order(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    role = "department:engineering"
    api.advance(minutes=5)
    accepted = api.order_step(complaint_id, "accept", role)
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assigned = api.order_step(complaint_id, "assign", role, {"team": "水电班"})
    assert (assigned.json()["status"], assigned.json()["team"]) == ("assigned", "水电班")
    api.advance(hours=2)
    completed = api.order_step(complaint_id, "complete", role, {"note": "换了灯泡"})
    assert completed.json()["status"] == "completed"
    assert aware(completed.json()["completed_at"]) == T0 + timedelta(hours=2, minutes=5)
    [order] = api.orders()
    assert (order["status"], order["team"]) == ("completed", "水电班")
    signed = api.sign_off(complaint_id, quality=4, attitude=5)
    assert signed.status_code == 200
    assert signed.json()["status"] == "closed"
    assert api.complaint(complaint_id)["status"] == "closed"
    assert api.orders() == []


def test_complete_may_be_sent_without_a_note(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering", through="assign")
    response = api.order_step(complaint_id, "complete", "department:engineering", {})
    assert response.status_code == 200


def test_a_department_may_sign_off_its_own_order(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering")
    assert api.sign_off(complaint_id, "department:engineering").status_code == 200


@pytest.mark.parametrize("step, body, through, rule", [
    ("complete", {"note": "done"}, "accept", "P-9"),     # complete before assign
    ("complete", {"note": "done"}, None, "P-9"),         # complete before accept
    ("assign", {"team": "水电班"}, None, "P-9"),          # assign before accept
    ("accept", None, "accept", "P-9"),                   # accept twice
    ("accept", None, "complete", "P-9"),                 # accept after completion
    ("sign-off", {"quality": 5, "attitude": 5, "signed_by": "张三"}, "assign", "P-15"),
    ("sign-off", {"quality": 5, "attitude": 5, "signed_by": "张三"}, None, "P-15"),
])
def test_an_out_of_order_step_is_409_naming_the_rule(
    api: Api, step: str, body: dict[str, object] | None, through: str | None, rule: str
) -> None:
    complaint_id = api.new_order("repair.common_area")
    if through is not None:
        api.work(complaint_id, "engineering", through=through)
    role = "desk" if step == "sign-off" else "department:engineering"
    before = api.complaint(complaint_id)["status"]
    response = api.order_step(complaint_id, step, role, body)
    assert response.status_code == 409, response.text
    error = error_of(response)
    assert error["code"] == "conflict"
    assert error["message"].startswith(rule)
    assert api.complaint(complaint_id)["status"] == before


def test_a_closed_order_takes_no_further_step(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering")
    assert api.sign_off(complaint_id).status_code == 200
    assert api.sign_off(complaint_id).status_code == 409
    follow_up = api.order_step(complaint_id, "follow-ups", "desk", {"note": "回访"})
    assert follow_up.status_code == 409
    assert error_of(follow_up)["message"].startswith("P-9")


@pytest.mark.parametrize("step, body", [
    ("accept", None), ("assign", {"team": "保洁班"}), ("complete", {"note": "done"}),
    ("sign-off", {"quality": 5, "attitude": 5, "signed_by": "张三"}),
])
def test_another_department_acting_on_the_order_is_403(
    api: Api, step: str, body: dict[str, object] | None
) -> None:
    complaint_id = api.new_order("repair.common_area")
    if step != "accept":
        api.work(complaint_id, "engineering",
                 through={"assign": "accept", "complete": "assign"}.get(step, "complete"))
    before = api.complaint(complaint_id)["status"]
    response = api.order_step(complaint_id, step, "department:environment", body)
    assert response.status_code == 403
    assert api.complaint(complaint_id)["status"] == before


@pytest.mark.parametrize("role", ["desk", "kiosk", "manager", "leadership"])
def test_only_departments_accept_assign_and_complete(api: Api, role: str) -> None:
    complaint_id = api.new_order("repair.common_area")
    assert api.order_step(complaint_id, "accept", role).status_code == 403


@pytest.mark.parametrize("role", ["kiosk", "manager", "leadership"])
def test_sign_off_is_for_the_desk_or_the_department(api: Api, role: str) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering")
    assert api.sign_off(complaint_id, role).status_code == 403


@pytest.mark.parametrize("field, value", [
    ("quality", 0), ("quality", 6), ("attitude", 0), ("attitude", 6), ("quality", -1),
])
def test_a_rating_outside_1_to_5_is_422_naming_it(
    api: Api, field: str, value: int
) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering")
    body = {"quality": 5, "attitude": 5, "signed_by": "张三", field: value}
    response = api.order_step(complaint_id, "sign-off", "desk", body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    assert api.complaint(complaint_id)["status"] == "completed"


def test_sign_off_needs_the_customers_name(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering")
    response = api.order_step(complaint_id, "sign-off", "desk", {"quality": 5, "attitude": 5})
    assert response.status_code == 422
    assert "signed_by" in error_of(response)["fields"]


def test_a_blank_team_is_422_naming_team(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering", through="accept")
    response = api.order_step(complaint_id, "assign", "department:engineering", {"team": " "})
    assert response.status_code == 422
    assert "team" in error_of(response)["fields"]


def test_a_note_over_2000_characters_is_422(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering", through="assign")
    response = api.order_step(complaint_id, "complete", "department:engineering",
                              {"note": "x" * 2001})
    assert response.status_code == 422
    assert "note" in error_of(response)["fields"]


def test_the_desk_records_follow_ups(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = api.order_step(complaint_id, "follow-ups", "desk", {"note": "已告知业主进度"})
    assert response.status_code == 200
    history = api.complaint(complaint_id)["history"]
    assert history[-1]["type"] == "workorder.followed_up"
    assert history[-1]["data"]["note"] == "已告知业主进度"


@pytest.mark.parametrize("role", ["department:engineering", "kiosk", "manager"])
def test_only_the_desk_records_follow_ups(api: Api, role: str) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = api.order_step(complaint_id, "follow-ups", role, {"note": "进度"})
    assert response.status_code == 403


@pytest.mark.parametrize("step", ["accept", "assign", "complete", "sign-off", "follow-ups"])
def test_a_step_on_an_unknown_order_is_404(api: Api, step: str) -> None:
    body = {"accept": None, "assign": {"team": "t"}, "complete": {"note": "n"},
            "sign-off": {"quality": 5, "attitude": 5, "signed_by": "z"},
            "follow-ups": {"note": "n"}}[step]
    role = "desk" if step in ("sign-off", "follow-ups") else "department:engineering"
    response = api.order_step(str(uuid.uuid4()), step, role, body)
    assert response.status_code == 404


def test_a_step_on_an_order_id_that_is_no_uuid_is_422(api: Api) -> None:
    response = api.order_step("order-1", "accept", "department:engineering")
    assert response.status_code == 422


def test_a_step_without_a_token_is_401(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    assert api.tracker.post(f"/orders/{complaint_id}/accept").status_code == 401


# ------------------------------------------------------------------ mail (P-11a)


def _completed_mail_order(api: Api, **changes: object) -> str:
    complaint_id = api.new_order(**({"category": None, "description": "报纸没收到"} | changes))
    assert api.complaint(complaint_id)["category"] == "mail.lost_late"
    api.work(complaint_id, "security")
    return complaint_id


def _mail_check(api: Api, complaint_id: str, role: str) -> httpx.Response:
    return api.post(api.tracker, f"/complaints/{complaint_id}/mail-check", role,
                    {"checked": "10月信报收发记录", "finding": "投递员漏投，已补送"})


@pytest.mark.parametrize("changes", [{}, {"category": "mail.lost_late", "description": "x"}],
                         ids=["by-keyword", "by-category"])
def test_mail_sign_off_before_the_mail_log_check_is_409_naming_p11a(
    api: Api, changes: dict[str, object]
) -> None:
    complaint_id = _completed_mail_order(api, **changes)
    response = api.sign_off(complaint_id)
    assert response.status_code == 409
    assert "P-11a" in error_of(response)["message"]
    assert api.complaint(complaint_id)["status"] == "completed"


def test_after_securitys_mail_log_check_the_mail_order_signs_off(api: Api) -> None:
    complaint_id = _completed_mail_order(api)
    response = _mail_check(api, complaint_id, "department:security")
    assert response.status_code == 200
    assert api.complaint(complaint_id)["history"][-1]["type"] == "workorder.mail_checked"
    assert api.sign_off(complaint_id).status_code == 200
    assert api.complaint(complaint_id)["status"] == "closed"


@pytest.mark.parametrize("role", ["department:engineering", "desk", "kiosk", "leadership"])
def test_only_security_records_the_mail_log_check(api: Api, role: str) -> None:
    complaint_id = _completed_mail_order(api)
    assert _mail_check(api, complaint_id, role).status_code == 403
    assert api.sign_off(complaint_id).status_code == 409


def test_security_checks_the_mail_logs_of_a_mail_order_another_department_holds(
    api: Api,
) -> None:
    # given a mail complaint reassigned to customer service, who works it to completion
    complaint_id = api.new_order(category=None, description="报纸没收到")
    response = api.order_step(complaint_id, "reassign", "desk",
                              {"department": "customer_service", "reason": "由客服跟进"})
    assert response.status_code == 200, response.text
    api.work(complaint_id, "customer_service")
    # when security records the mail-log check (P-11a: the head of security has it done)
    response = _mail_check(api, complaint_id, "department:security")
    # then it is recorded and the order signs off; engineering still may not record it
    assert response.status_code == 200, response.text
    assert _mail_check(api, complaint_id, "department:engineering").status_code == 403
    assert api.sign_off(complaint_id).status_code == 200


def test_a_mail_log_check_on_a_category_that_needs_none_is_409(api: Api) -> None:
    complaint_id = api.new_order("security.safety")
    api.work(complaint_id, "security")
    response = _mail_check(api, complaint_id, "department:security")
    assert response.status_code == 409
    assert "P-11a" in error_of(response)["message"]


def test_completing_without_a_body_is_allowed_the_note_being_optional(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering", through="assign")
    response = api.tracker.post(f"/orders/{complaint_id}/complete",
                                headers=api.auth("department:engineering"))
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "completed"


# --- P-9 B warnings and chases on the board


def test_the_board_shows_the_warning_the_chases_and_the_last_contact_P9(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")  # engineering, due in 24 h
    [order] = api.orders()
    assert (order["warned"], order["chase_count"], order["last_customer_contact"]) == (
        False, 0, None)
    contacted = api.advance(hours=2)
    assert api.order_step(complaint_id, "follow-ups", "desk", {"note": "已告知"}).status_code == 200
    scheduler = ChaseScheduler(api.contexts["dispatcher"])
    api.advance(hours=18)  # 20 h of 24: past the 0.8 share
    assert scheduler.tick() == 1
    api.advance(hours=4, minutes=30)  # overdue by 30 minutes
    assert scheduler.tick() == 1
    assert scheduler.tick() == 0
    [order] = api.orders("department:engineering")
    assert (order["warned"], order["chase_count"], order["overdue"]) == (True, 1, True)
    assert aware(order["last_customer_contact"]) == contacted
    history = [entry["type"] for entry in api.complaint(complaint_id)["history"]]
    assert history[-2:] == ["workorder.warned", "workorder.chased"]
