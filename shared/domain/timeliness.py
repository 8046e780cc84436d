"""P-14, P-16: due times and the timely / late / pending judgement.

- Due time: the end of the customer's booked appointment where there is one,
  else dispatch time plus the category's commitment. Fixed at the first
  dispatch and written into the dispatch event, so a later change of
  commitment never rewrites the past (P-14).
- Timely: completed at or before the due time (completion counts, not the
  signature). Late: completed after it, or not completed and already due at
  the moment the report is read. Pending: not completed and not yet due, or
  not yet dispatched. Withdrawn and declined complaints are counted apart.

Due times are absolute: the commitment is added in UTC, so a clock that
reads local time where clocks change (daylight saving) never stretches or
shrinks it by an hour. Months, by contrast, are cut in the policy's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

Judgement = Literal["timely", "late", "pending", "withdrawn", "declined"]
EXCLUDED: frozenset[str] = frozenset({"withdrawn", "declined"})


def due_time(
    dispatched_at: datetime, commitment: timedelta, appointment_end: datetime | None
) -> tuple[datetime, Literal["appointment", "commitment"]]:
    """The due time in UTC: the booking's end, else dispatch plus the commitment."""
    if appointment_end is not None:
        return appointment_end.astimezone(UTC), "appointment"
    # Aware arithmetic in a local zone adds wall-clock time; in UTC it adds elapsed time.
    return dispatched_at.astimezone(UTC) + commitment, "commitment"


def judge(
    status: str, due_at: datetime | None, completed_at: datetime | None, now: datetime,
    clock_stopped_since: datetime | None = None,
) -> Judgement:
    if status in EXCLUDED:
        return status  # type: ignore[return-value]
    due_at = due_as_of(due_at, clock_stopped_since, now)
    if completed_at is not None and due_at is not None:
        return "timely" if completed_at <= due_at else "late"
    if due_at is not None and now > due_at:
        return "late"
    return "pending"


# --- P-13 referral: the clock stops while an outside body holds the complaint ---


def due_as_of(due_at: datetime | None, clock_stopped_since: datetime | None, now: datetime
              ) -> datetime | None:
    """The due time as it stands at ``now``, the clock stopped since ``clock_stopped_since``.

    P-13: between referral and resolve the commitment clock stands still. The
    stored due time moves out only when the referral is resolved (by the whole
    time stopped); judged during the referral, it counts as extended by the
    time stopped so far, so an order held by an outside body never turns late.
    """
    if due_at is None or clock_stopped_since is None:
        return due_at
    return due_at + max(now - clock_stopped_since, timedelta(0))


def local_month(moment: datetime, tz: ZoneInfo) -> str:
    """The month a complaint belongs to: its registration, in the company's time zone."""
    return moment.astimezone(tz).strftime("%Y-%m")


def timely_rate(timely: int, total: int) -> Decimal | None:
    """P-16: timely / total × 100, rounded half-up to two decimals; None when total is 0."""
    if total == 0:
        return None
    return (Decimal(timely) * 100 / Decimal(total)).quantize(Decimal("0.01"), "ROUND_HALF_UP")
