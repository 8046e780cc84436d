"""P-17: the manager closes a month; its report is frozen as delivered, and anything that
changes it later appears as an adjustment in the next month's report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from shared.domain import events as ev
from shared.domain.errors import RuleViolation
from shared.domain.month_close import adjustment, close_month
from tests.unit.given import SHANGHAI

END_OF_OCTOBER = datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI)
NOV_2 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


def report(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "month": "2026-10", "total": 3, "timely": 1, "late": 1, "pending": 1, "withdrawn": 0,
        "declined": 0, "timely_rate": 33.33, "escalated": 0,
        "by_department": {"engineering": {"total": 3, "timely": 1, "late": 1, "pending": 1,
                                          "timely_rate": 33.33}},
        "satisfaction": {"rated": 1, "quality": 5.0, "attitude": 5.0}}
    base.update(changes)
    return base


def test_closing_a_month_freezes_its_report_as_delivered() -> None:
    assert close_month("2026-10", None, [], END_OF_OCTOBER, report(), NOV_2) == [
        ev.MonthClosed(month="2026-10", closed_at=NOV_2, report=report())]


def test_a_month_is_closed_once_P17() -> None:
    closed = ev.MonthClosed(month="2026-10", closed_at=NOV_2, report=report())
    with pytest.raises(RuleViolation, match="P-17: month 2026-10 was already closed"):
        close_month("2026-10", None, [closed], END_OF_OCTOBER, report(), NOV_2)


def test_a_month_not_yet_over_cannot_be_closed_P17() -> None:
    with pytest.raises(RuleViolation, match="P-17: month 2026-10 is not over"):
        close_month("2026-10", None, [], END_OF_OCTOBER, report(),
                    datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI))


def test_nothing_changed_means_no_adjustment() -> None:
    assert adjustment("2026-10", report(), report()) is None


def test_an_adjustment_names_only_the_figures_that_changed() -> None:
    live = report(timely=2, pending=0, timely_rate=66.67,
                  by_department={"engineering": {"total": 3, "timely": 2, "late": 1,
                                                 "pending": 0, "timely_rate": 66.67}})
    assert adjustment("2026-10", report(), live) == {
        "month": "2026-10",
        "timely": {"before": 1, "after": 2}, "pending": {"before": 1, "after": 0},
        "timely_rate": {"before": 33.33, "after": 66.67},
        "by_department": {"engineering": {
            "timely": {"before": 1, "after": 2}, "pending": {"before": 1, "after": 0},
            "timely_rate": {"before": 33.33, "after": 66.67}}}}


def test_a_department_new_since_the_close_and_a_late_rating_show_in_the_adjustment() -> None:
    live = report(by_department={**report()["by_department"], "security": {"total": 0}},
                  satisfaction={"rated": 2, "quality": 4.5, "attitude": 5.0})
    assert adjustment("2026-10", report(), live) == {
        "month": "2026-10",
        "by_department": {"security": {"total": {"before": None, "after": 0}}},
        "satisfaction": {"rated": {"before": 1, "after": 2},
                         "quality": {"before": 5.0, "after": 4.5}}}
