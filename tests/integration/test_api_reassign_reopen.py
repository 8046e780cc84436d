"""Reassign (P-6) and reopen (P-9) over HTTP: the tracker's board and the monthly report
follow the final department and the final completion; the due time stays."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.integration.api_support import T0, Api, aware, error_of, open_api


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def reassign(api: Api, complaint_id: str, department: str, role: str = "desk") -> dict:
    response = api.order_step(complaint_id, "reassign", role,
                              {"department": department, "reason": "派错部门"})
    assert response.status_code == 200, response.text
    body: dict = response.json()
    return body


def test_a_reassigned_order_moves_to_the_new_department_s_board_only(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")  # engineering, 24 h
    api.work(complaint_id, "engineering", through="assign")
    api.advance(hours=1)

    state = reassign(api, complaint_id, "environment")

    assert (state["status"], state["department"], state["team"]) == (
        "dispatched", "environment", None)
    assert aware(state["due_at"]) == T0 + timedelta(hours=24)  # as first dispatched
    assert [o["complaint_id"] for o in api.orders("department:environment")] == [complaint_id]
    assert api.orders("department:engineering") == []
    assert api.orders(department="engineering") == []
    [order] = api.orders(department="environment")
    assert aware(order["due_at"]) == T0 + timedelta(hours=24)
    # the old department no longer acts on it; the new one does
    assert api.order_step(complaint_id, "accept", "department:engineering").status_code == 403
    api.work(complaint_id, "environment")


def test_the_month_counts_a_reassigned_order_under_its_final_department(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    reassign(api, complaint_id, "environment")
    api.advance(hours=25)  # past the first due time
    api.work(complaint_id, "environment")

    report = api.report()
    assert set(report["by_department"]) == {"environment"}
    assert report["by_department"]["environment"]["late"] == 1
    assert report["late"] == 1


def test_reassigning_a_completed_order_is_409_naming_p6(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering")
    response = api.order_step(complaint_id, "reassign", "desk",
                              {"department": "environment", "reason": "x"})
    assert response.status_code == 409
    assert "P-6" in error_of(response)["message"]


@pytest.mark.parametrize("department", ["plumbing", "engineering"])
def test_reassigning_to_an_unknown_or_the_same_department_is_422_naming_it(
    api: Api, department: str,
) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = api.order_step(complaint_id, "reassign", "desk",
                              {"department": department, "reason": "x"})
    assert response.status_code == 422
    assert "department" in error_of(response)["fields"]


def test_only_the_desk_reassigns_and_reopens(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = api.order_step(complaint_id, "reassign", "department:engineering",
                              {"department": "environment", "reason": "x"})
    assert response.status_code == 403
    response = api.order_step(complaint_id, "reopen", "manager", {"reason": "x"})
    assert response.status_code == 403


def test_reassign_needs_a_reason(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = api.order_step(complaint_id, "reassign", "desk", {"department": "environment"})
    assert response.status_code == 422
    assert "reason" in error_of(response)["fields"]


def test_a_reopened_order_goes_back_to_its_team_and_counts_by_its_final_completion(
    api: Api,
) -> None:
    complaint_id = api.new_order("repair.common_area")  # due T0 + 24 h
    api.advance(hours=2)
    api.work(complaint_id, "engineering", team="水电班")  # completed in time
    assert api.report()["timely"] == 1

    api.advance(hours=1)
    response = api.order_step(complaint_id, "reopen", "desk", {"reason": "还在漏水"})
    assert response.status_code == 200, response.text
    state = response.json()
    assert (state["status"], state["team"], state["completed_at"]) == ("assigned", "水电班", None)
    [order] = api.orders("department:engineering")
    assert order["status"] == "assigned"
    assert api.report()["pending"] == 1

    api.advance(hours=30)  # past the due time
    assert api.orders(status="overdue")[0]["complaint_id"] == complaint_id
    done = api.order_step(complaint_id, "complete", "department:engineering", {"note": "换管"})
    assert done.status_code == 200, done.text
    report = api.report()
    assert (report["timely"], report["late"], report["pending"]) == (0, 1, 0)
    assert api.sign_off(complaint_id).status_code == 200


def test_reopening_an_order_not_completed_is_409_naming_p9(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = api.order_step(complaint_id, "reopen", "desk", {"reason": "x"})
    assert response.status_code == 409
    assert "P-9" in error_of(response)["message"]


def test_the_history_records_both_steps(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    reassign(api, complaint_id, "environment")
    api.work(complaint_id, "environment")
    assert api.order_step(complaint_id, "reopen", "desk", {"reason": "x"}).status_code == 200
    history = api.complaint(complaint_id)["history"]
    [moved] = [h for h in history if h["type"] == "workorder.reassigned"]
    assert moved["data"]["department"] == "environment"
    assert moved["data"]["from_department"] == "engineering"
    assert [h["type"] for h in history][-1] == "workorder.reopened"
