"""The manager's monthly report (P-16, P-17): the statistics, compared and flagged.

:func:`analysed_report` is :func:`~shared.projections.monthly.monthly_report`
plus, for each department and category, the previous month's timely rate and
the change in points; the alerts of the policy's thresholds
(``shared.domain.analysis``); and the corrective actions the month lists
(``corrective_actions``), each alert naming the actions recorded against it.
The previous month is read the same way as this one (same community, judged
at the same moment, as of the same moment), so the comparison is like for like.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shared.domain.analysis import Scope, alert_key, alerts, compare
from shared.policy import Policy
from shared.projections.corrective_actions import (
    action_public,
    actions_as_of,
    listed_in_month,
)
from shared.projections.monthly import month_bounds, monthly_report, parse_month

SCOPES: tuple[tuple[Scope, str], ...] = (("department", "by_department"),
                                         ("category", "by_category"))


def previous_month(month: str) -> str | None:
    """``2026-01`` -> ``2025-12``; None before the first month a report can name."""
    year, mon = parse_month(month)
    before = f"{year - (mon == 1):04d}-{(mon - 2) % 12 + 1:02d}"
    try:
        parse_month(before)
    except ValueError:
        return None
    return before


def analysed_report(conn: sa.Connection, policy: Policy, month: str, now: datetime,
                    community: str | None = None, as_of: datetime | None = None
                    ) -> dict[str, Any]:
    """The month's report with the comparison, the alerts and the corrective actions."""
    report = monthly_report(conn, policy, month, now, community, as_of=as_of)
    before_month = previous_month(month)
    before = (monthly_report(conn, policy, before_month, now, community, as_of=as_of)
              if before_month else {"by_department": {}, "by_category": {}})
    found: list[dict[str, Any]] = []
    for scope, key in SCOPES:
        found += alerts(month, scope, report[key], before[key], policy.alerts)
        report[key] = compare(report[key], before[key])
    judged_at = report["generated_at"]
    start, end = month_bounds(month, policy)
    actions = [action_public(a, judged_at, policy.tz)
               for a in listed_in_month(actions_as_of(conn, as_of), month, start, end)]
    for alert in found:
        alert["corrective_actions"] = [a["id"] for a in actions
                                       if alert_key(a["alert"]) == alert_key(alert)]
    report.update(previous_month=before_month, alerts=found, corrective_actions=actions)
    return report


def alerts_of(conn: sa.Connection, policy: Policy, month: str, now: datetime
              ) -> set[tuple[str, str, str, str]]:
    """The keys of a month's alerts as they stand now: what a corrective action may name."""
    return {alert_key(a) for a in analysed_report(conn, policy, month, now)["alerts"]}
