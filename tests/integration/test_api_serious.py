"""Routing a person can trust (P-6) and serious complaints (P-12) over HTTP.

contract.md, "The rest of the procedure": ``POST /complaints/{id}/inspection``
(leadership) on the dispatcher; 409 for a complaint that is not serious. The
board marks escalated orders; the monthly report counts them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.api_support import Api, aware, error_of, open_api

INSPECTION = {"findings": "电梯门机故障，困人40分钟后解救",
              "decision": "更换门机，全面检修本小区电梯",
              "present": ["王总", "工程部李经理"]}


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def _inspect(api: Api, complaint_id: str, body: Any = INSPECTION, role: str = "leadership"
             ) -> httpx.Response:
    return api.post(api.dispatcher, f"/complaints/{complaint_id}/inspection", role, body)


def _history(api: Api, complaint_id: str) -> list[dict[str, Any]]:
    history: list[dict[str, Any]] = api.complaint(complaint_id, "leadership")["history"]
    return history


def _trapped_in_the_lift(api: Api) -> str:
    """A kiosk complaint, registered "normal", no category: the words decide."""
    return api.new_order(category=None, description="3号楼电梯困人，快来人", severity="normal")


# ------------------------------------------------------------------ routing (P-6)


def test_a_burglary_with_a_forced_lock_reaches_security_by_the_word_that_decided(
    api: Api,
) -> None:
    complaint_id = api.new_order(category=None, description="家里被盗，门锁被撬")
    assert api.complaint(complaint_id)["department"] == "security"
    [routed] = [e for e in _history(api, complaint_id) if e["type"] == "complaint.routed"]
    assert (routed["data"]["routed_by"], routed["data"]["keyword"]) == ("keyword", "被盗")


def test_a_person_trapped_in_a_lift_reaches_leadership_whatever_the_kiosk_said(
    api: Api,
) -> None:
    complaint_id = _trapped_in_the_lift(api)
    assert api.complaint(complaint_id)["severity"] == "serious"
    history = _history(api, complaint_id)
    [routed] = [e for e in history if e["type"] == "complaint.routed"]
    assert routed["data"]["severity_raised_by"] == "电梯困人"
    [escalated] = [e for e in history if e["type"] == "complaint.escalated"]
    assert escalated["data"]["department"] == "engineering"
    assert "电梯困人" in escalated["data"]["reason"]


# ------------------------------------------------------------------ the board and report


def test_the_board_marks_escalated_orders(api: Api) -> None:
    serious = _trapped_in_the_lift(api)
    normal = api.new_order(category="repair.common_area")
    marked = {o["complaint_id"]: o["escalated"] for o in api.orders("department:engineering")}
    assert marked == {serious: True, normal: False}


def test_the_monthly_report_counts_escalated_complaints_where_they_belong(api: Api) -> None:
    _trapped_in_the_lift(api)
    api.new_order(category="security.safety", severity="serious")
    api.new_order(category="repair.common_area")
    report = api.report("2026-10")
    assert report["escalated"] == 2
    assert {d: t["escalated"] for d, t in report["by_department"].items()} == {
        "engineering": 1, "security": 1}
    assert report["by_category"]["repair.common_area"]["escalated"] == 1


# ------------------------------------------------------------------ the inspection (P-12)


def test_leadership_records_the_inspection_of_a_serious_complaint(api: Api) -> None:
    complaint_id = _trapped_in_the_lift(api)
    inspected_at = api.advance(hours=2)
    response = _inspect(api, complaint_id)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["severity"], body["escalated"], body["department"]) == (
        "serious", True, "engineering")
    [record] = body["inspections"]
    assert (record["findings"], record["decision"], record["present"]) == (
        INSPECTION["findings"], INSPECTION["decision"], INSPECTION["present"])
    assert aware(record["inspected_at"]) == inspected_at
    [entry] = [e for e in _history(api, complaint_id) if e["type"] == "complaint.inspected"]
    assert entry["data"]["present"] == INSPECTION["present"]
    assert entry["actor"]


def test_a_complaint_that_is_not_serious_is_not_inspected_409(api: Api) -> None:
    complaint_id = api.new_order(category="repair.common_area")
    response = _inspect(api, complaint_id)
    assert response.status_code == 409
    assert "P-12" in error_of(response)["message"]
    assert not any(e["type"] == "complaint.inspected" for e in _history(api, complaint_id))


@pytest.mark.parametrize("role", ["desk", "manager", "department:engineering", "kiosk"])
def test_only_leadership_inspects(api: Api, role: str) -> None:
    complaint_id = _trapped_in_the_lift(api)
    assert _inspect(api, complaint_id, role=role).status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [({**INSPECTION, "findings": ""}, "findings"),
     ({k: v for k, v in INSPECTION.items() if k != "decision"}, "decision"),
     ({**INSPECTION, "present": []}, "present"),
     ({**INSPECTION, "findings": "x" * 2001}, "findings"),
     ({**INSPECTION, "decision": "x" * 201}, "decision"),
     ({**INSPECTION, "severity": "serious"}, "severity")],
    ids=["no findings", "no decision", "nobody present", "findings too long",
         "decision too long", "an unknown field"],
)
def test_an_inspection_without_its_facts_is_422_naming_the_field(
    api: Api, body: dict[str, Any], field: str
) -> None:
    complaint_id = _trapped_in_the_lift(api)
    response = _inspect(api, complaint_id, body)
    assert response.status_code == 422
    assert any(field in name for name in error_of(response)["fields"]), error_of(response)


def test_inspecting_an_unknown_complaint_is_404(api: Api) -> None:
    assert _inspect(api, str(uuid.uuid4())).status_code == 404


def test_the_inspection_is_in_the_dispatchers_openapi(api: Api) -> None:
    paths = api.dispatcher.get("/openapi.json").json()["paths"]
    assert "post" in paths["/complaints/{complaint_id}/inspection"]
