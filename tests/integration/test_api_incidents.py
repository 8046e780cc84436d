"""Incidents over HTTP (P-9/P-16): many complaints, one cause; on both stores."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.app.incident_handler import IncidentHandler
from shared.domain import commands as c
from shared.events import Metadata
from tests.integration.api_support import T0, Api, aware, error_of, open_api


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def open_incident(api: Api, complaint_ids: list[str], role: str = "desk",
                  department: str = "engineering") -> httpx.Response:
    return api.post(api.tracker, "/incidents", role, {
        "title": "3号楼水管爆裂", "community": "荔园一期", "department": department,
        "complaint_ids": complaint_ids})


def complete(api: Api, incident_id: str, role: str = "department:engineering",
             note: str | None = "主管已更换") -> httpx.Response:
    return api.post(api.tracker, f"/incidents/{incident_id}/complete", role,
                    None if note is None else {"note": note})


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_completing_the_incident_completes_each_order_judged_on_its_own_due_time(
    api: Api,
) -> None:
    early = api.new_order("repair.common_area")            # due T0 + 24 h
    api.advance(hours=20)
    recent = api.new_order("repair.common_area")           # due T0 + 44 h
    api.work(recent, "engineering", through="accept")
    undecided = api.new_order("repair.in_unit")            # awaiting the paid decision
    elsewhere = api.new_order("cleaning.common_area")      # environment's
    incident = created(open_incident(api, [early, recent, undecided, elsewhere]))
    assert incident["status"] == "open"
    assert incident["complaint_ids"] == [early, recent, undecided, elsewhere]

    done_at = api.advance(hours=10)                        # T0 + 30 h
    response = complete(api, incident["incident_id"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed" and aware(body["completed_at"]) == done_at
    assert body["completed"] == [early, recent]
    assert {s["complaint_id"]: s["status"] for s in body["skipped"]} == {
        undecided: "awaiting_decision", elsewhere: "dispatched"}

    for complaint_id in (early, recent):
        shown = api.complaint(complaint_id)
        assert shown["status"] == "completed"
        types = [entry["type"] for entry in shown["history"]]
        assert "complaint.linked_to_incident" in types
        [completion] = [e for e in shown["history"] if e["type"] == "workorder.completed"]
        assert aware(completion["data"]["completed_at"]) == done_at
        assert "3号楼水管爆裂" in completion["data"]["note"]
    assert api.complaint(undecided)["status"] == "awaiting_decision"

    engineering = api.report("2026-10")["by_department"]["engineering"]
    assert (engineering["timely"], engineering["late"]) == (1, 1)  # recent timely, early late
    assert aware(api.complaint(early)["due_at"]) == T0 + timedelta(hours=24)


def test_a_second_complete_is_409_and_completes_nothing_twice(api: Api) -> None:
    order = api.new_order("repair.common_area")
    incident_id = created(open_incident(api, [order]))["incident_id"]
    assert complete(api, incident_id, note=None).status_code == 200
    api.advance(hours=1)
    again = complete(api, incident_id, role="desk")
    assert again.status_code == 409, again.text
    assert error_of(again)["message"].startswith("P-9")
    history = api.complaint(order)["history"]
    assert [e["type"] for e in history].count("workorder.completed") == 1


def test_a_retry_after_a_partial_completion_does_not_complete_twice(api: Api) -> None:
    # An earlier attempt completed the order, then failed before recording the incident's end.
    order = api.new_order("repair.common_area")
    incident_id = created(open_incident(api, [order]))["incident_id"]
    context = api.contexts["tracker"]
    context.handler.execute(order, c.CompleteForIncident(
        incident_id, "3号楼水管爆裂", "engineering", api.clock.now()), Metadata(actor="test"))
    handler = IncidentHandler(context.store, context.handler, context.clock)
    assert handler.load(incident_id).status == "open"

    api.advance(minutes=5)
    response = complete(api, incident_id)
    assert response.status_code == 200, response.text
    assert response.json()["completed"] == [order]
    history = api.complaint(order)["history"]
    assert [e["type"] for e in history].count("workorder.completed") == 1


def test_linking_more_complaints_and_reading_the_incident(api: Api) -> None:
    first, second = api.new_order("repair.common_area"), api.new_order("repair.common_area")
    incident_id = created(open_incident(api, [first]))["incident_id"]
    response = api.post(api.tracker, f"/incidents/{incident_id}/complaints", "desk",
                        {"complaint_ids": [first, second]})
    assert response.status_code == 200, response.text
    assert response.json()["complaint_ids"] == [first, second]
    shown = api.tracker.get(f"/incidents/{incident_id}", headers=api.auth("manager"))
    assert shown.status_code == 200 and shown.json()["complaint_ids"] == [first, second]
    types = [e["type"] for e in api.complaint(second)["history"]]
    assert types.count("complaint.linked_to_incident") == 1


def test_the_rules_at_the_edge(api: Api) -> None:
    order = api.new_order("repair.common_area")
    incident_id = created(open_incident(api, [order]))["incident_id"]
    # A complaint belongs to one incident at most (P-9).
    other = open_incident(api, [order])
    assert other.status_code == 409 and error_of(other)["message"].startswith("P-9")
    # An unknown complaint names the field.
    unknown = open_incident(api, [str(uuid.uuid4())])
    assert unknown.status_code == 422 and "complaint_ids" in error_of(unknown)["fields"]
    # Only the desk opens one; another department neither reads nor completes it.
    assert open_incident(api, [], role="department:engineering").status_code == 403
    assert complete(api, incident_id, role="department:security").status_code == 403
    assert api.tracker.get(f"/incidents/{incident_id}",
                           headers=api.auth("department:security")).status_code == 403
    assert api.tracker.get(f"/incidents/{uuid.uuid4()}",
                           headers=api.auth("desk")).status_code == 404
    assert complete(api, str(uuid.uuid4()), role="desk").status_code == 404
    bad = api.post(api.tracker, "/incidents", "desk", {"title": "x", "community": "荔园一期",
                                                     "department": "nowhere"})
    assert bad.status_code == 422 and "department" in error_of(bad)["fields"]
