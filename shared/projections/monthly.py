"""Monthly statistics (P-16, P-17): per month × community × department × category.

The projection keeps each complaint's facts (registration time, department,
due and completion times, ratings), written from its folded state
(``complaints``); :func:`monthly_report` judges timely, late and pending at
the moment it is read (procedure.md, "What the text leaves open"), with month
boundaries in the policy's time zone. Asked ``as_of`` an earlier moment, it
folds the month's complaints afresh from the events up to that moment, into
the same rows, and judges them then.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from shared.domain.routing import route
from shared.domain.state import Complaint
from shared.domain.timeliness import EXCLUDED, judge, timely_rate
from shared.events import Envelope
from shared.eventstore.schema import monthly_complaints
from shared.policy import Policy, UnknownCategory
from shared.projections.complaints import apply_folded, states_as_of


class MonthlyProjection:
    name = "monthly"
    tables: Sequence[sa.Table] = (monthly_complaints,)

    def apply(self, conn: sa.Connection, batch: Sequence[Envelope],
              tables: dict[str, sa.Table]) -> None:
        apply_folded(conn, tables[monthly_complaints.name], batch, complaint_row)


def complaint_row(complaint_id: str, state: Complaint) -> dict[str, Any]:
    """A registered complaint's facts, as the month counts them."""
    registration = state.registration
    assert registration is not None, "only registered complaints have rows"
    return {"complaint_id": complaint_id, "registered_at": registration.registered_at,
            "community": registration.community, "description": registration.description,
            "given_category": registration.category, "category": state.category,
            "department": state.department, "status": state.status,
            "dispatched_at": state.dispatched_at, "due_at": state.due_at,
            "completed_at": state.completed_at, "quality": state.quality,
            "attitude": state.attitude, "escalated": state.escalated,
            # P-13: the clock stopped by an open referral; ever referred, for ``referred``
            "clock_stopped_since": state.clock_stopped_since,
            "first_referred_at": state.first_referred_at,
            # --- corrections (P-9)
            "missed_appointments": list(state.missed_appointments)}


MONTH_PATTERN = re.compile(r"^((?:19[7-9]|2\d\d)\d)-(0[1-9]|1[0-2])$")  # 1970-01 … 2999-12


def parse_month(month: str) -> tuple[int, int]:
    """``YYYY-MM`` -> (year, month); a ValueError saying what is expected otherwise."""
    match = MONTH_PATTERN.match(month)
    if not match:
        raise ValueError(f"month: expected YYYY-MM between 1970-01 and 2999-12 (e.g. 2026-10), "
                         f"got {month!r}")
    return int(match.group(1)), int(match.group(2))


# A "+hh:mm" offset whose "+" a query string turned into a space.
_SPACED_OFFSET = re.compile(r" (\d\d:?\d\d)$")


def parse_as_of(text: str) -> datetime:
    """An ISO 8601 time with its offset (``Z`` or ``±hh:mm``); a ValueError naming as_of."""
    expected = "as_of: expected an ISO 8601 time with offset, e.g. 2026-10-31T23:59:59+08:00"
    try:
        moment = datetime.fromisoformat(_SPACED_OFFSET.sub(r"+\1", text.strip()))
    except ValueError:
        raise ValueError(f"{expected}, got {text!r}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{expected}; {text!r} has no offset")
    return moment


def month_bounds(month: str, policy: Policy) -> tuple[datetime, datetime]:
    """[start, end) of a ``YYYY-MM`` month in the policy's time zone."""
    year, mon = parse_month(month)
    start = datetime(year, mon, 1, tzinfo=policy.tz)
    end = datetime(year + (mon == 12), mon % 12 + 1, 1, tzinfo=policy.tz)
    return start, end


@dataclass
class Tally:
    total: int = 0
    timely: int = 0
    late: int = 0
    pending: int = 0
    withdrawn: int = 0
    declined: int = 0
    escalated: int = 0  # P-12: serious complaints reported to leadership
    missed_appointments: int = 0  # P-9: booked times the department missed

    def add(self, judgement: str) -> None:
        setattr(self, judgement, getattr(self, judgement) + 1)
        if judgement not in EXCLUDED:
            self.total += 1

    def public(self) -> dict[str, Any]:
        rate = timely_rate(self.timely, self.total)
        return {"total": self.total, "timely": self.timely, "late": self.late,
                "pending": self.pending, "withdrawn": self.withdrawn,
                "declined": self.declined, "timely_rate": _number(rate),
                "escalated": self.escalated,
                "missed_appointments": self.missed_appointments}  # corrections (P-9)


@dataclass
class Ratings:
    quality: list[int] = field(default_factory=list)
    attitude: list[int] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {"rated": len(self.quality), "quality": _average(self.quality),
                "attitude": _average(self.attitude)}


def _average(values: list[int]) -> float | None:
    if not values:
        return None
    return _number((Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), "ROUND_HALF_UP"))


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _department_and_category(row: dict[str, Any], policy: Policy) -> tuple[str, str]:
    """Where a complaint counts: the department holding it, else its category's, else routing."""
    if row["department"] and row["category"]:
        return row["department"], row["category"]
    try:
        decided = route(row["description"], row["given_category"], policy)
    except UnknownCategory:
        decided = route(row["description"], None, policy)
    return decided.category.department, decided.category.id


def monthly_report(conn: sa.Connection, policy: Policy, month: str, now: datetime,
                   community: str | None = None, as_of: datetime | None = None,
                   judged_at: datetime | None = None) -> dict[str, Any]:
    """The month's statistics judged at ``now``; or, given ``as_of``, as they stood then.

    ``as_of`` leaves out every event after that moment (a complaint registered
    later is absent, one completed later is still open) and judges late and
    pending at it. The live projection must be caught up first, as for ``now``:
    it says which complaints the month holds. ``judged_at`` (P-17 month close) judges
    late and pending at another moment than that, e.g. the moment a month was closed.
    """
    start, end = month_bounds(month, policy)
    t = monthly_complaints
    query = sa.select(t).where(t.c.registered_at >= start, t.c.registered_at < end)
    if community is not None:
        query = query.where(t.c.community == community)
    rows = [dict(mapping) for mapping in conn.execute(query).mappings()]
    if as_of is not None:
        states = states_as_of(conn, [row["complaint_id"] for row in rows], as_of)
        rows = [complaint_row(complaint_id, state) for complaint_id, state in states.items()]
    judged_at = judged_at or (now if as_of is None else as_of)
    return {"month": month, "timezone": policy.timezone, "community": community,
            **_statistics(rows, policy, judged_at), "as_of": as_of, "generated_at": judged_at}


def _statistics(rows: list[dict[str, Any]], policy: Policy, judged_at: datetime
                ) -> dict[str, Any]:
    overall = Tally()
    by_department: dict[str, Tally] = defaultdict(Tally)
    by_category: dict[str, Tally] = defaultdict(Tally)
    ratings = Ratings()
    # P-17: satisfaction per department and per category, for the alerts' floor.
    rated_by: dict[str, Ratings] = defaultdict(Ratings)
    escalated = 0
    referred = 0
    for row in rows:
        judgement = judge(row["status"], row["due_at"], row["completed_at"], judged_at,
                          row["clock_stopped_since"])
        department, category = _department_and_category(row, policy)
        for tally in (overall, by_department[department], by_category[category]):
            tally.add(judgement)
        if row["quality"] is not None:
            for group in (ratings, rated_by[f"d:{department}"], rated_by[f"c:{category}"]):
                group.quality.append(row["quality"])
                group.attitude.append(row["attitude"])
        escalated += bool(row["escalated"])
        if row["escalated"]:  # P-12: counted per department and category too
            for tally in (overall, by_department[department], by_category[category]):
                tally.escalated += 1
        referred += row["first_referred_at"] is not None  # P-13
        # --- corrections (P-9): against the department that missed it, whoever holds it now
        for missed_by in row["missed_appointments"] or ():
            for tally in (overall, by_department[missed_by], by_category[category]):
                tally.missed_appointments += 1
    return {
        "provisional": overall.pending > 0,
        **overall.public(),
        "escalated": escalated,
        "referred": referred,
        "by_department": {k: {**v.public(), "satisfaction": rated_by[f"d:{k}"].public()}
                          for k, v in sorted(by_department.items())},
        "by_category": {k: {**v.public(), "satisfaction": rated_by[f"c:{k}"].public()}
                        for k, v in sorted(by_category.items())},
        "satisfaction": ratings.public(),
    }
