"""reporting over HTTP: GET /reports/monthly (contract.md, "reporting"; procedure.md, P-16)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration.api_support import SHANGHAI, T0, Api, aware, error_of, open_api

TALLY = ("total", "timely", "late", "pending", "withdrawn", "timely_rate")


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def _tally(section: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(section[key] for key in TALLY)


def _withdraw(api: Api, complaint_id: str) -> None:
    response = api.post(api.intake, f"/complaints/{complaint_id}/withdraw", "desk",
                        {"reason": "业主撤回"})
    assert response.status_code == 200, response.text


# ------------------------------------------------------------------ access and input


@pytest.mark.parametrize("role", ["manager", "leadership", "desk"])
def test_manager_leadership_and_desk_read_the_monthly_report(api: Api, role: str) -> None:
    report = api.report("2026-10", role)
    assert (report["month"], report["timezone"]) == ("2026-10", "Asia/Shanghai")


@pytest.mark.parametrize("role", ["kiosk", "department:customer_service",
                                  "department:engineering", "department:security",
                                  "department:environment"])
def test_kiosks_and_departments_may_not_read_the_monthly_report(api: Api, role: str) -> None:
    response = api.reporting.get("/reports/monthly", headers=api.auth(role),
                                 params={"month": "2026-10"})
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_the_monthly_report_needs_a_token(api: Api) -> None:
    assert api.reporting.get("/reports/monthly", params={"month": "2026-10"}).status_code == 401


@pytest.mark.parametrize("month", ["2026-13", "oct", "2026-00", "2026-1", "26-10", "2026/10",
                                   "", "2026-10-01"])
def test_a_month_that_is_not_yyyy_mm_is_422_naming_month(api: Api, month: str) -> None:
    response = api.reporting.get("/reports/monthly", headers=api.auth("manager"),
                                 params={"month": month})
    assert response.status_code == 422
    assert "month" in error_of(response)["fields"]


def test_a_missing_month_is_422_naming_month(api: Api) -> None:
    response = api.reporting.get("/reports/monthly", headers=api.auth("manager"))
    assert response.status_code == 422
    assert "month" in error_of(response)["fields"]


def test_an_empty_month_has_no_rate_and_is_not_provisional(api: Api) -> None:
    report = api.report("2026-10")
    assert _tally(report) == (0, 0, 0, 0, 0, None)
    assert report["provisional"] is False
    assert report["by_department"] == {} and report["by_category"] == {}
    assert report["satisfaction"] == {"rated": 0, "quality": None, "attitude": None}


# ------------------------------------------------------------------ the numbers


def test_a_month_of_timely_late_pending_and_withdrawn_complaints_adds_up(api: Api) -> None:
    api.clock.at = datetime(2026, 9, 30, 23, 0, tzinfo=SHANGHAI)
    september = api.new_order("other")                       # 24 h, never done
    api.clock.at = T0
    timely = api.new_order("other", community="荔园二期")      # customer_service, 24 h
    late = api.new_order("cleaning.common_area")             # environment, 4 h
    pending = api.new_order("repair.common_area")            # engineering, 24 h
    late_open = api.new_order("intruder.sales")              # security, 30 min
    undecided = api.new_order("repair.in_unit")              # engineering, never dispatched
    withdrawn = api.new_order("security.safety")             # security, withdrawn
    api.advance(hours=1)
    api.work(timely, "customer_service")
    api.work(pending, "engineering", through="accept")
    _withdraw(api, withdrawn)
    api.advance(hours=4)                                     # T0 + 5 h: past the 4 h
    api.work(late, "environment")
    assert api.sign_off(timely, quality=5, attitude=4).status_code == 200
    assert api.sign_off(late, quality=2, attitude=3).status_code == 200
    api.advance(hours=1)                                     # read at T0 + 6 h

    report = api.report("2026-10")
    assert _tally(report) == (5, 1, 2, 2, 1, 20.0)
    assert report["total"] == report["timely"] + report["late"] + report["pending"]
    assert report["provisional"] is True
    assert {k: _tally(v) for k, v in report["by_department"].items()} == {
        "customer_service": (1, 1, 0, 0, 0, 100.0),
        "environment": (1, 0, 1, 0, 0, 0.0),
        "engineering": (2, 0, 0, 2, 0, 0.0),                 # the undecided one counts here
        "security": (1, 0, 1, 0, 1, 0.0),
    }
    assert {k: _tally(v) for k, v in report["by_category"].items()} == {
        "other": (1, 1, 0, 0, 0, 100.0),
        "cleaning.common_area": (1, 0, 1, 0, 0, 0.0),
        "repair.common_area": (1, 0, 0, 1, 0, 0.0),
        "intruder.sales": (1, 0, 1, 0, 0, 0.0),
        "repair.in_unit": (1, 0, 0, 1, 0, 0.0),
        "security.safety": (0, 0, 0, 0, 1, None),
    }
    assert report["satisfaction"] == {"rated": 2, "quality": 3.5, "attitude": 3.5}

    only_phase_two = api.report("2026-10", community="荔园二期")
    assert _tally(only_phase_two) == (1, 1, 0, 0, 0, 100.0)
    assert only_phase_two["provisional"] is False

    assert _tally(api.report("2026-09")) == (1, 0, 1, 0, 0, 0.0)  # due 1 Oct 23:00, passed
    assert api.complaint(september)["status"] == "dispatched"
    assert api.complaint(late_open)["status"] == "dispatched"
    assert api.complaint(undecided)["status"] == "awaiting_decision"


def test_rates_and_satisfaction_are_rounded_half_up_to_two_decimals(api: Api) -> None:
    timely = api.new_order("other")
    late = [api.new_order("intruder.sales") for _ in range(7)]
    for _ in range(24):
        api.new_order("other")                               # pending: due in 24 h
    api.advance(hours=1)
    qualities = [5, 4, 4, 4, 4, 4, 4, 4]                     # 33 / 8 = 4.125
    attitudes = [5, 5, 5, 5, 4, 4, 4, 5]                     # 37 / 8 = 4.625
    for complaint_id, quality, attitude in zip([timely, *late], qualities, attitudes,
                                               strict=True):
        api.work(complaint_id, "customer_service" if complaint_id == timely else "security")
        assert api.sign_off(complaint_id, quality=quality, attitude=attitude).status_code == 200
    report = api.report("2026-10")
    assert _tally(report) == (32, 1, 7, 24, 0, 3.13)         # 3.125: half-up, not half-even
    assert report["satisfaction"] == {"rated": 8, "quality": 4.13, "attitude": 4.63}


def test_an_open_order_moves_from_pending_to_late_when_its_due_time_passes(api: Api) -> None:
    api.new_order("intruder.sales")                          # due T0 + 30 min
    api.advance(minutes=30)
    assert _tally(api.report("2026-10"))[:4] == (1, 0, 0, 1)
    api.advance(seconds=1)
    report = api.report("2026-10")
    assert _tally(report)[:4] == (1, 0, 1, 0)
    assert report["provisional"] is False


def test_completion_at_the_due_time_itself_is_timely(api: Api) -> None:
    complaint_id = api.new_order("intruder.sales")
    api.work(complaint_id, "security", through="assign")
    api.advance(minutes=30)
    response = api.order_step(complaint_id, "complete", "department:security", {"note": "劝离"})
    assert response.status_code == 200
    api.advance(days=2)
    assert _tally(api.report("2026-10")) == (1, 1, 0, 0, 0, 100.0)


def test_completion_counts_not_the_signature(api: Api) -> None:
    complaint_id = api.new_order("intruder.sales")
    api.work(complaint_id, "security")                       # completed at once
    api.advance(days=1)                                      # signed a day late
    assert api.sign_off(complaint_id).status_code == 200
    assert _tally(api.report("2026-10"))[:3] == (1, 1, 0)


def test_a_complaint_belongs_to_the_local_month_it_was_registered_in(api: Api) -> None:
    api.clock.at = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)  # 23:30 on 31 Oct in Shanghai
    api.new_order("other")
    api.clock.at = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 Nov in Shanghai
    api.new_order("other")
    api.advance(minutes=1)
    assert api.report("2026-10")["total"] == 1
    assert api.report("2026-11")["total"] == 1


def test_a_declined_quote_is_left_out_of_the_total(api: Api) -> None:
    complaint_id = api.new_order("cleaning.in_unit")
    api.post(api.dispatcher, f"/complaints/{complaint_id}/quote", "desk",
             {"items": [{"fee": "deep_clean.per_hour"}]})
    api.post(api.dispatcher, f"/complaints/{complaint_id}/quote/decline", "desk")
    api.new_order("other")
    report = api.report("2026-10")
    assert (report["total"], report["pending"]) == (1, 1)


def test_the_report_reflects_writes_made_just_before_it(api: Api) -> None:
    assert api.report("2026-10")["total"] == 0
    complaint_id = api.register()
    report = api.report("2026-10")                           # registered, never routed
    assert (report["total"], report["pending"]) == (1, 1)
    assert list(report["by_department"]) == ["customer_service"]  # its category's
    api.route(complaint_id)
    api.advance(hours=1)
    assert api.report("2026-10", community="荔园一期")["pending"] == 1
    assert api.report("2026-10", community="nowhere")["total"] == 0


# ------------------------------------------------------------------ as of a moment


@pytest.mark.parametrize("role", ["manager", "leadership", "desk"])
def test_the_report_as_of_a_moment_is_the_month_as_it_stood_then(api: Api, role: str) -> None:
    # given an order dispatched at T0 and the moment an hour later
    done_later = api.new_order("other")                      # customer_service, 24 h
    as_of = api.advance(hours=1)
    # and after it: the order completed, another registered
    api.advance(hours=1)
    api.work(done_later, "customer_service")
    api.new_order("cleaning.common_area")
    api.advance(hours=1)

    # when the month is read as of the moment
    then = api.report("2026-10", role, as_of=as_of.isoformat())

    # then the completion and the later complaint are not in it
    assert _tally(then) == (1, 0, 0, 1, 0, 0.0)
    assert list(then["by_category"]) == ["other"]
    assert aware(then["as_of"]) == as_of and aware(then["generated_at"]) == as_of
    assert _tally(api.report("2026-10", role)) == (2, 1, 0, 1, 0, 50.0)


def test_an_order_open_at_the_moment_and_past_its_due_time_is_late_as_of_it(api: Api) -> None:
    complaint_id = api.new_order("intruder.sales")           # due T0 + 30 min
    as_of = api.advance(hours=1)
    api.work(complaint_id, "security")
    then = api.report("2026-10", as_of=as_of.isoformat())
    assert _tally(then)[:4] == (1, 0, 1, 0)
    before_due = api.report("2026-10", as_of=(T0 + timedelta(minutes=29)).isoformat())
    assert _tally(before_due)[:4] == (1, 0, 0, 1)


def test_as_of_takes_z_and_an_offset_whose_plus_became_a_space(api: Api) -> None:
    api.new_order("other")
    utc = T0.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert api.report("2026-10", as_of=utc)["total"] == 1
    response = api.reporting.get(
        f"/reports/monthly?month=2026-10&as_of={T0.isoformat()}", headers=api.auth("manager"))
    assert response.status_code == 200, response.text     # "+08:00" unencoded: a space
    assert response.json()["total"] == 1


@pytest.mark.parametrize("as_of", ["2026-10-05T10:00:00", "yesterday", "2026-13-01T00:00:00Z",
                                   "", "2026-10-05T10:00:00+25:00"])
def test_an_as_of_that_is_not_an_iso_time_with_offset_is_422_naming_as_of(
    api: Api, as_of: str
) -> None:
    response = api.reporting.get("/reports/monthly", headers=api.auth("manager"),
                                 params={"month": "2026-10", "as_of": as_of})
    assert response.status_code == 422, response.text
    assert "as_of" in error_of(response)["fields"]
