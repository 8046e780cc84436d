"""P-16, P-17: the manager's monthly analysis: this month against the last, and the alerts.

"Where a problem stands out or a quality indicator fluctuates, corrective
action with a deadline is taken" (P-17). The policy's ``[alerts]`` says what
stands out:

- ``timely_rate_drop``: a department's or category's timely rate fell by
  more than ``timely_rate_drop_points`` percentage points since the previous
  month (both months must have a rate: a group with no complaints in either
  month has nothing to compare);
- ``satisfaction_below_floor``: its average rating of quality or of attitude
  (each a ``measure`` of its own) is below ``satisfaction_floor``.

Pure: the groups come in as the report's tallies (``timely_rate`` and
``satisfaction`` per department or category), numbers in, alerts out.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

from shared.policy.model import Alerts

Scope = Literal["department", "category"]
MEASURES = ("quality", "attitude")
_POINTS = Decimal("0.01")


def _decimal(value: float | None) -> Decimal | None:
    # A rate is reported to two places; str() gives back exactly those digits.
    return None if value is None else Decimal(str(value))


def change_in_points(now: float | None, before: float | None) -> float | None:
    """This month's rate minus last month's, in percentage points; None if either is missing."""
    current, previous = _decimal(now), _decimal(before)
    if current is None or previous is None:
        return None
    return float((current - previous).quantize(_POINTS))


def compare(groups: Mapping[str, dict[str, Any]], previous: Mapping[str, dict[str, Any]]
            ) -> dict[str, dict[str, Any]]:
    """Each group of this month, with last month's timely rate and the change in points."""
    compared = {}
    for group, tally in groups.items():
        before = previous.get(group, {}).get("timely_rate")
        compared[group] = {**tally, "previous_timely_rate": before,
                           "change_points": change_in_points(tally["timely_rate"], before)}
    return compared


def alerts(month: str, scope: Scope, groups: Mapping[str, dict[str, Any]],
           previous: Mapping[str, dict[str, Any]], thresholds: Alerts) -> list[dict[str, Any]]:
    """P-17: the groups of one scope whose indicators stand out this month."""
    found: list[dict[str, Any]] = []
    drop = Decimal(str(thresholds.timely_rate_drop_points))
    floor = Decimal(str(thresholds.satisfaction_floor))
    for group, tally in sorted(groups.items()):
        before = previous.get(group, {})
        rate, rate_before = _decimal(tally["timely_rate"]), _decimal(before.get("timely_rate"))
        if rate is not None and rate_before is not None and rate_before - rate > drop:
            found.append(_alert("timely_rate_drop", scope, group, month, "timely_rate",
                                tally["timely_rate"], before.get("timely_rate"),
                                thresholds.timely_rate_drop_points))
        for measure in MEASURES:
            value = tally["satisfaction"][measure]
            if value is not None and Decimal(str(value)) < floor:
                earlier = before.get("satisfaction", {}).get(measure)
                found.append(_alert("satisfaction_below_floor", scope, group, month, measure,
                                    value, earlier, thresholds.satisfaction_floor))
    return found


def _alert(kind: str, scope: Scope, group: str, month: str, measure: str,
           value: float | None, previous: float | None, threshold: float) -> dict[str, Any]:
    return {"kind": kind, "scope": scope, "id": group, "month": month, "measure": measure,
            "value": value, "previous": previous, "threshold": threshold}


def alert_key(alert: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """What a corrective action names of an alert: kind, scope, id and month."""
    return (alert["kind"], alert["scope"], alert["id"], alert["month"])
