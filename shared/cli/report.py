"""``complaints report``: the monthly report in the terminal, from an existing store.

The report only reads: the store must exist with its schema (it is never
created nor migrated here). The monthly projection is caught up first, as
the reporting service does, so the figures include every recorded event.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shared.app.clock import Clock, SystemClock
from shared.app.settings import Settings
from shared.cli.checks import CommandError, database_errors
from shared.cli.store import holds_no_complaints, open_existing_store, say_store


def parse_as_of(text: str | None) -> datetime | None:
    """``--as-of``: an ISO 8601 time with its offset (the HTTP ``as_of``'s rule); None: now."""
    from shared.projections.monthly import parse_as_of as parse_moment

    if text is None:
        return None
    try:
        return parse_moment(text)
    except ValueError as exc:
        raise CommandError(f"--as-of {text!r}: {str(exc).removeprefix('as_of: ')}") from None


def compute_report(settings: Settings, month: str, community: str | None,
                   as_of: datetime | None, clock: Clock | None = None) -> dict[str, Any]:
    """The report ``GET /reports/monthly`` gives: frozen if the month was closed (P-17),
    else live with the comparison, the alerts, the corrective actions and adjustments."""
    from shared.policy import load_policy
    from shared.projections.month_report import report_as_delivered
    from shared.projections.monthly import MonthlyProjection
    from shared.projections.runner import catch_up

    policy = load_policy(settings.complaints_policy)
    store = open_existing_store(settings.database_url)
    if holds_no_complaints(store):
        print(f"the store holds no complaints yet: the report for {month} is all zeros",
              file=sys.stderr)

    def read(query: Callable[[sa.Connection], Any]) -> Any:
        with store.engine.connect() as conn:
            return query(conn)

    with database_errors(settings.database_url):
        catch_up(store, MonthlyProjection())
        # Judged now (the one clock), or as the month stood at --as-of.
        now = (clock or SystemClock()).now()
        return report_as_delivered(store, read, policy, month, community, now, as_of=as_of)


def print_report(settings: Settings, month: str, community: str | None, as_of: str | None,
                 as_json: bool) -> int:
    from shared.projections.monthly import parse_month

    parse_month(month)
    moment = parse_as_of(as_of)
    say_store(settings.database_url)
    report = compute_report(settings, month, community, moment)
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    else:
        print(format_report(report))
    return 0


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _change(t: dict[str, Any]) -> str:
    before, points = t.get("previous_timely_rate"), t.get("change_points")
    if before is None or points is None:
        return ""
    return f"  (last month {_rate(before)}, {points:+.2f} pts)"


def _row(label: str, t: dict[str, Any]) -> str:
    return (f"{label:<26}{t['total']:>7}{t['timely']:>8}{t['late']:>6}{t['pending']:>9}"
            f"{t['withdrawn']:>11}  {_rate(t['timely_rate'])}{_change(t)}")


def _status(report: dict[str, Any]) -> str:
    if report.get("closed"):
        return f" — CLOSED {report['closed_at']} (as delivered, P-17)"
    return " — PROVISIONAL: pending complaints" if report["provisional"] else ""


def format_report(report: dict[str, Any]) -> str:
    header = f"{'':<26}{'total':>7}{'timely':>8}{'late':>6}{'pending':>9}{'withdrawn':>11}  rate"
    lines = [
        f"Monthly complaint statistics {report['month']} ({report['timezone']}){_status(report)}",
        f"timely rate (投诉处理及时率): {_rate(report['timely_rate'])}",
        "",
        header,
        _row("all", report),
    ]
    for name, tally in report["by_department"].items():
        lines.append(_row(f"dept {name}", tally))
    for name, tally in report["by_category"].items():
        lines.append(_row(f"  {name}", tally))
    s = report["satisfaction"]
    lines += ["", f"satisfaction: {s['rated']} rated, quality {s['quality']}, "
                  f"attitude {s['attitude']}"]
    # --- P-13 referral ---
    lines.append(f"referred to an outside body (P-13): {report['referred']}")
    lines += _p17_lines(report)
    return "\n".join(lines)


def _p17_lines(report: dict[str, Any]) -> list[str]:
    """P-17: what stands out, what is being done about it, what changed since a close."""
    lines: list[str] = []
    for alert in report.get("alerts", []):
        if not lines:
            lines += ["", "alerts (P-17):"]
        actions = ", ".join(alert.get("corrective_actions", [])) or "no corrective action yet"
        lines.append(f"  {alert['kind']} {alert['scope']} {alert['id']}: {alert['measure']} "
                     f"{alert['value']} (before {alert['previous']}, threshold "
                     f"{alert['threshold']}) — {actions}")
    actions = report.get("corrective_actions", [])
    if actions:
        lines += ["", "corrective actions (P-17):"]
        lines += [f"  {a['id']} [{a['status']}{', OVERDUE' if a['overdue'] else ''}] "
                  f"{a['action']} — {a['owner']}, due {a['deadline']}" for a in actions]
    for found in report.get("adjustments", []):
        lines += ["", f"changed in closed month {found['month']} since it was delivered:"]
        lines += [f"  {label}: {change['before']} -> {change['after']}"
                  for label, change in _changes_of(found)]
    return lines


def _changes_of(found: dict[str, Any], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """``{"total": {"before", "after"}, "by_department": {"x": {...}}}`` flattened."""
    flat: list[tuple[str, dict[str, Any]]] = []
    for key, value in found.items():
        if key == "month" or not isinstance(value, dict):
            continue
        if "before" in value and "after" in value:
            flat.append((f"{prefix}{key}", value))
        else:
            flat += _changes_of(value, f"{prefix}{key} " if key != "by_department" else
                                f"{prefix}dept ")
    return flat
