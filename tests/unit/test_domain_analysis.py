"""P-16, P-17: this month against the last, and the alerts of the policy's thresholds."""

from __future__ import annotations

from typing import Any

from shared.domain.analysis import alerts, change_in_points, compare
from shared.policy.model import Alerts

DEFAULTS = Alerts()  # a drop of more than 5.0 points; satisfaction below 4.0


def group(rate: float | None, quality: float | None = None,
          attitude: float | None = None) -> dict[str, Any]:
    return {"total": 10, "timely_rate": rate,
            "satisfaction": {"rated": 0 if quality is None else 3, "quality": quality,
                             "attitude": attitude}}


def test_the_change_is_in_percentage_points_exactly() -> None:
    assert change_in_points(81.1, 86.2) == -5.1
    assert change_in_points(None, 86.2) is None
    assert change_in_points(80.0, None) is None


def test_each_group_gains_last_month_s_rate_and_the_change() -> None:
    compared = compare({"engineering": group(80.0), "security": group(50.0)},
                       {"engineering": group(90.0)})
    assert compared["engineering"]["previous_timely_rate"] == 90.0
    assert compared["engineering"]["change_points"] == -10.0
    assert compared["security"]["previous_timely_rate"] is None
    assert compared["security"]["change_points"] is None
    assert compared["engineering"]["total"] == 10  # the tally itself is kept


def test_a_fall_of_more_than_the_threshold_is_an_alert_and_a_fall_of_exactly_it_is_not() -> None:
    found = alerts("2026-10", "department",
                   {"engineering": group(84.99), "security": group(85.0)},
                   {"engineering": group(90.0), "security": group(90.0)}, DEFAULTS)
    assert found == [{"kind": "timely_rate_drop", "scope": "department", "id": "engineering",
                      "month": "2026-10", "measure": "timely_rate", "value": 84.99,
                      "previous": 90.0, "threshold": 5.0}]


def test_no_rate_in_either_month_is_nothing_to_compare() -> None:
    assert alerts("2026-10", "category", {"other": group(None)}, {"other": group(90.0)},
                  DEFAULTS) == []
    assert alerts("2026-10", "category", {"other": group(10.0)}, {}, DEFAULTS) == []


def test_satisfaction_below_the_floor_is_an_alert_per_measure() -> None:
    found = alerts("2026-10", "category", {"repair.in_unit": group(100.0, 3.99, 4.0)},
                   {"repair.in_unit": group(100.0, 4.5, 4.5)}, DEFAULTS)
    assert found == [{"kind": "satisfaction_below_floor", "scope": "category",
                      "id": "repair.in_unit", "month": "2026-10", "measure": "quality",
                      "value": 3.99, "previous": 4.5, "threshold": 4.0}]


def test_the_policy_s_thresholds_decide() -> None:
    strict = Alerts(timely_rate_drop_points=1.0, satisfaction_floor=4.8)
    found = alerts("2026-10", "department", {"engineering": group(88.0, 4.7, 5.0)},
                   {"engineering": group(90.0)}, strict)
    assert [(a["kind"], a["measure"]) for a in found] == [
        ("timely_rate_drop", "timely_rate"), ("satisfaction_below_floor", "quality")]
