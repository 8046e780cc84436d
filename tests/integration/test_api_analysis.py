"""The manager's analysis over HTTP (P-16, P-17): the previous month, the alerts, and the
corrective actions (限期整改) recorded against them, listed until closed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api_support import SHANGHAI, T0, Api, error_of, open_api

DROP = {"kind": "timely_rate_drop", "scope": "department", "id": "engineering",
        "month": "2026-10"}


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def september_all_timely_october_half_late(api: Api) -> None:
    api.clock.at = datetime(2026, 9, 10, 10, 0, tzinfo=SHANGHAI)
    for _ in range(2):
        api.work(api.new_order("repair.common_area"), "engineering")       # timely
    api.clock.at = T0
    timely, late = api.new_order("repair.common_area"), api.new_order("repair.common_area")
    api.advance(hours=1)
    api.work(timely, "engineering")
    assert api.sign_off(timely, quality=3, attitude=5).status_code == 200
    api.advance(hours=25)
    api.work(late, "engineering")                                          # 24 h passed


def record(api: Api, alert: dict[str, str], role: str = "manager",
           deadline: str = "2026-11-15") -> Any:
    return api.post(api.reporting, "/corrective-actions", role, {
        "alert": alert, "action": "水电班每日复盘超时工单", "owner": "工程部经理",
        "deadline": deadline})


def actions(api: Api, status: str = "open", role: str = "manager") -> list[dict[str, Any]]:
    response = api.reporting.get("/corrective-actions", headers=api.auth(role),
                                 params={"status": status})
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()["corrective_actions"]
    return listed


def test_each_department_and_category_is_compared_with_the_previous_month(api: Api) -> None:
    september_all_timely_october_half_late(api)
    report = api.report("2026-10")
    assert report["previous_month"] == "2026-09"
    engineering = report["by_department"]["engineering"]
    assert (engineering["timely_rate"], engineering["previous_timely_rate"],
            engineering["change_points"]) == (50.0, 100.0, -50.0)
    assert report["by_category"]["repair.common_area"]["change_points"] == -50.0
    assert engineering["satisfaction"] == {"rated": 1, "quality": 3.0, "attitude": 5.0}


def test_a_fall_beyond_the_threshold_and_satisfaction_below_the_floor_are_alerts(
        api: Api) -> None:
    september_all_timely_october_half_late(api)
    alerts = {(a["kind"], a["scope"], a["id"], a["measure"]): a
              for a in api.report("2026-10")["alerts"]}
    assert set(alerts) == {
        ("timely_rate_drop", "department", "engineering", "timely_rate"),
        ("timely_rate_drop", "category", "repair.common_area", "timely_rate"),
        ("satisfaction_below_floor", "department", "engineering", "quality"),
        ("satisfaction_below_floor", "category", "repair.common_area", "quality"),
    }
    drop = alerts[("timely_rate_drop", "department", "engineering", "timely_rate")]
    assert drop == {**DROP, "measure": "timely_rate", "value": 50.0, "previous": 100.0,
                    "threshold": 5.0, "corrective_actions": []}
    assert api.report("2026-09")["alerts"] == []  # August had nothing to compare with


def test_a_corrective_action_stays_listed_until_closed(api: Api) -> None:
    september_all_timely_october_half_late(api)
    created = record(api, DROP)
    assert created.status_code == 201, created.text
    action = created.json()
    assert (action["status"], action["owner"], action["deadline"]) == (
        "open", "工程部经理", "2026-11-15")
    action_id = action["id"]

    october = api.report("2026-10")
    assert [a["id"] for a in october["corrective_actions"]] == [action_id]
    drop = next(a for a in october["alerts"]
                if (a["kind"], a["scope"]) == ("timely_rate_drop", "department"))
    assert drop["corrective_actions"] == [action_id]
    assert [a["id"] for a in actions(api, role="leadership")] == [action_id]

    api.clock.at = datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI)  # past the deadline
    november = api.report("2026-11")
    assert [(a["id"], a["status"], a["overdue"]) for a in november["corrective_actions"]] == [
        (action_id, "open", True)]                             # carried over, still open
    closed = api.post(api.reporting, f"/corrective-actions/{action_id}/close", "manager",
                      {"outcome": "12月及时率回到95%"})
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "12月及时率回到95%")

    assert actions(api) == []
    assert [a["id"] for a in actions(api, "closed")] == [action_id]
    assert [a["id"] for a in actions(api, "all")] == [action_id]
    december = api.report("2026-12")
    assert [(a["id"], a["status"]) for a in december["corrective_actions"]] == [
        (action_id, "closed")]                                 # closed during December
    assert api.report("2027-01")["corrective_actions"] == []   # gone once closed before
    assert [a["id"] for a in api.report("2026-11")["corrective_actions"]] == [action_id]

    again = api.post(api.reporting, f"/corrective-actions/{action_id}/close", "manager",
                     {"outcome": "again"})
    assert again.status_code == 409
    assert error_of(again)["message"].startswith("P-17")


def test_an_alert_the_report_does_not_show_is_422_naming_alert(api: Api) -> None:
    september_all_timely_october_half_late(api)
    response = record(api, {**DROP, "id": "security"})
    assert response.status_code == 422
    assert "alert" in error_of(response)["fields"]


def test_a_deadline_in_the_past_is_422_naming_deadline(api: Api) -> None:
    september_all_timely_october_half_late(api)
    response = record(api, DROP, deadline="2026-10-01")
    assert response.status_code == 422
    assert "deadline" in error_of(response)["fields"]


@pytest.mark.parametrize("role", ["leadership", "desk", "department:engineering"])
def test_only_the_manager_records_corrective_actions(api: Api, role: str) -> None:
    assert record(api, DROP, role=role).status_code == 403


def test_closing_an_unknown_action_is_404(api: Api) -> None:
    response = api.post(api.reporting,
                        "/corrective-actions/5d7a3a8e-0a51-4d1c-8f0e-2c0d3b1e9a77/close",
                        "manager", {"outcome": "done"})
    assert response.status_code == 404
