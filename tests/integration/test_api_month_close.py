"""Closing a month over HTTP (P-17): the report frozen as delivered; later changes appear as
adjustments in the next month's report. On both stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from shared.cli.report import compute_report, format_report
from tests.integration.api_support import SHANGHAI, T0, Api, aware, error_of, open_api

OCT_31_2300 = datetime(2026, 10, 31, 23, 0, tzinfo=SHANGHAI)
NOV_1_1000 = datetime(2026, 11, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def close(api: Api, month: str, role: str = "manager") -> httpx.Response:
    return api.post(api.reporting, f"/reports/monthly/{month}/close", role)


def figures(report: dict[str, object]) -> tuple[object, ...]:
    return tuple(report[k] for k in ("total", "timely", "late", "pending"))


def test_a_closed_month_is_frozen_and_later_changes_are_adjustments_next_month(
    api: Api,
) -> None:
    done = api.new_order("repair.common_area")       # completed in time
    api.work(done, "engineering")
    api.new_order("other")                            # never done: late by the close
    api.advance(days=26, hours=13)
    assert api.clock.now() == OCT_31_2300
    pending = api.new_order("other")                  # due 1 Nov 23:00: pending at the close
    api.advance(hours=11)

    response = close(api, "2026-10")
    assert response.status_code == 201, response.text
    delivered = response.json()
    assert delivered["closed"] is True and aware(delivered["closed_at"]) == NOV_1_1000
    assert figures(delivered) == (3, 1, 1, 1)

    api.advance(hours=1)  # time passing alone changes nothing that was delivered
    assert api.report("2026-11")["adjustments"] == []

    api.advance(hours=1)
    api.work(pending, "customer_service")              # completed after the close, in time
    october = api.report("2026-10")
    assert october["closed"] is True and figures(october) == (3, 1, 1, 1)
    assert {k: october[k] for k in ("by_department", "satisfaction")} == {
        k: delivered[k] for k in ("by_department", "satisfaction")}

    [adjustment] = api.report("2026-11")["adjustments"]
    assert adjustment["month"] == "2026-10"
    assert adjustment["timely"] == {"before": 1, "after": 2}
    assert adjustment["pending"] == {"before": 1, "after": 0}
    assert adjustment["timely_rate"] == {"before": 33.33, "after": 66.67}
    assert "total" not in adjustment and "late" not in adjustment
    assert adjustment["by_department"] == {"customer_service": {
        "timely": {"before": 0, "after": 1}, "pending": {"before": 1, "after": 0},
        "timely_rate": {"before": 0.0, "after": 50.0}}}

    # Asked as it stood before the completion, November shows no adjustment yet.
    before = (NOV_1_1000 + timedelta(hours=1)).isoformat()
    assert api.report("2026-11", as_of=before)["adjustments"] == []
    # Asked as it stood before the close, October is the live report, not the frozen one.
    assert api.report("2026-10", as_of=OCT_31_2300.isoformat())["closed"] is False

    # `complaints report` answers what GET /reports/monthly answers: October frozen,
    # November live with the adjustment, and says both in the terminal.
    settings = api.contexts["reporting"].settings
    for month in ("2026-10", "2026-11"):
        printed = json.loads(json.dumps(compute_report(settings, month, None, None,
                                                       clock=api.clock), default=str))
        assert_same_report(printed, api.report(month))
    text = format_report(compute_report(settings, "2026-11", None, None, clock=api.clock))
    assert "changed in closed month 2026-10 since it was delivered:" in text
    assert "timely: 1 -> 2" in text and "dept customer_service pending: 1 -> 0" in text
    assert "CLOSED" in format_report(compute_report(settings, "2026-10", None, None,
                                                    clock=api.clock))


def assert_same_report(printed: dict[str, object], served: dict[str, object]) -> None:
    """The CLI's report and the endpoint's figures (times are printed differently)."""
    keys = ("closed", "total", "timely", "late", "pending", "timely_rate", "by_department",
            "by_category", "adjustments", "alerts")
    assert {k: printed.get(k) for k in keys} == {k: served.get(k) for k in keys}


def test_closing_twice_or_before_the_month_is_over_is_409_naming_the_rule(api: Api) -> None:
    api.new_order("other")
    api.advance(days=30)
    assert close(api, "2026-10").status_code == 201
    again = close(api, "2026-10")
    assert again.status_code == 409 and error_of(again)["message"].startswith("P-17")
    early = close(api, "2026-11")
    assert early.status_code == 409 and "not over" in error_of(early)["message"]


def test_only_the_manager_closes_a_month_and_the_month_is_checked(api: Api) -> None:
    api.advance(days=30)
    assert close(api, "2026-10", role="desk").status_code == 403
    bad = close(api, "2026-13")
    assert bad.status_code == 422 and "month" in error_of(bad)["fields"]


def test_an_open_month_is_reported_live_with_no_adjustments(api: Api) -> None:
    api.new_order("other")
    report = api.report("2026-10")
    assert report["closed"] is False and report["closed_at"] is None
    assert report["adjustments"] == []
    assert aware(report["generated_at"]) == T0
