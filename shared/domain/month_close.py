"""P-17: the manager closes a month; its report is frozen as delivered.

Closing records ``month.closed`` in the month's own stream
(``month-<YYYY-MM>[-community]``) carrying the full report as computed then.
A month is closed once, and only once it is over (local time). Anything that
changes a closed month later appears in the next month's report as an
adjustment: :func:`adjustment` compares the frozen figures with the month's
figures from every event now known, judged at the moment of closing (so only
later events, not the mere passing of time, make a difference). Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from shared.domain import events as ev
from shared.domain.errors import RuleViolation
from shared.events import Event

# The figures an adjustment compares: the month's, each department's, satisfaction's.
TALLY_FIELDS = ("total", "timely", "late", "pending", "withdrawn", "declined", "timely_rate",
                "escalated")
SATISFACTION_FIELDS = ("rated", "quality", "attitude")


def closed_of(history: Iterable[Event]) -> ev.MonthClosed | None:
    """The month's close, if its stream holds one."""
    return next((e for e in history if isinstance(e, ev.MonthClosed)), None)


def close_month(month: str, community: str | None, history: Iterable[Event],
                month_end: datetime, report: dict[str, Any], now: datetime) -> list[Event]:
    """Freeze ``report`` (the month's report as delivered now); 409 (P-17) if not allowed."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    closed = closed_of(history)
    if closed is not None:
        raise RuleViolation("P-17", f"month {month} was already closed at "
                            f"{closed.closed_at.isoformat()}")
    if now < month_end:
        raise RuleViolation("P-17", f"month {month} is not over until "
                            f"{month_end.isoformat()}")
    return [ev.MonthClosed(month=month, community=community, closed_at=now, report=report)]


def _changes(fields: tuple[str, ...], before: dict[str, Any], after: dict[str, Any]
             ) -> dict[str, dict[str, Any]]:
    return {f: {"before": before.get(f), "after": after.get(f)}
            for f in fields if before.get(f) != after.get(f)}


def adjustment(month: str, frozen: dict[str, Any], live: dict[str, Any]
               ) -> dict[str, Any] | None:
    """What changed in a closed month since it was delivered; None if nothing did.

    ``{"month", <field>: {"before", "after"}, ..., "by_department": {<dept>: {<field>:
    {"before", "after"}}}, "satisfaction": {...}}``, only for the fields that differ.
    """
    found: dict[str, Any] = _changes(TALLY_FIELDS, frozen, live)
    departments: dict[str, Any] = {}
    empty: dict[str, Any] = {}
    for department in sorted({*frozen.get("by_department", {}), *live.get("by_department", {})}):
        changed = _changes(TALLY_FIELDS, frozen.get("by_department", {}).get(department, empty),
                           live.get("by_department", {}).get(department, empty))
        if changed:
            departments[department] = changed
    if departments:
        found["by_department"] = departments
    satisfaction = _changes(SATISFACTION_FIELDS, frozen.get("satisfaction", empty),
                            live.get("satisfaction", empty))
    if satisfaction:
        found["satisfaction"] = satisfaction
    return {"month": month, **found} if found else None
