"""P-14, P-16 and "What the text leaves open": due times, timely / late / pending, month, rate."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shared.domain.timeliness import due_time, judge, local_month, timely_rate
from tests.unit.given import SHANGHAI, T0, UTC, at

DUE = at(hours=4)
NEW_YORK = ZoneInfo("America/New_York")

# ------------------------------------------------------------------ due time


def test_without_a_booking_the_due_time_is_dispatch_plus_the_commitment() -> None:
    assert due_time(T0, timedelta(minutes=240), None) == (at(hours=4), "commitment")


def test_a_fractional_commitment_counts_its_seconds() -> None:
    assert due_time(T0, timedelta(minutes=0.5), None) == (at(minutes=0.5), "commitment")


def test_with_a_booking_the_due_time_is_the_end_of_the_booking() -> None:
    end = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
    assert due_time(T0, timedelta(minutes=240), end) == (end, "appointment")


def test_a_day_s_commitment_over_the_spring_change_is_24_elapsed_hours_not_23() -> None:
    # given a dispatch at noon the day before New York's clocks spring forward
    dispatched_at = datetime(2026, 3, 7, 12, 0, tzinfo=NEW_YORK)
    # when the due time is set
    due_at, _ = due_time(dispatched_at, timedelta(hours=24), None)
    # then it is 13:00 local on 8 March: 24 hours later, though the wall clock says 25
    assert due_at - dispatched_at.astimezone(UTC) == timedelta(hours=24)
    assert due_at.astimezone(NEW_YORK) == datetime(2026, 3, 8, 13, 0, tzinfo=NEW_YORK)


def test_a_day_s_commitment_over_the_autumn_change_is_24_elapsed_hours_not_25() -> None:
    dispatched_at = datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK)
    due_at, _ = due_time(dispatched_at, timedelta(hours=24), None)
    assert due_at - dispatched_at.astimezone(UTC) == timedelta(hours=24)
    assert due_at.astimezone(NEW_YORK) == datetime(2026, 11, 1, 11, 0, tzinfo=NEW_YORK)


# ------------------------------------------------------------------ judge


def test_work_completed_exactly_at_the_due_time_is_timely() -> None:
    assert judge("completed", DUE, completed_at=DUE, now=at(days=30)) == "timely"


def test_work_completed_a_minute_after_the_due_time_is_late() -> None:
    assert judge("completed", DUE, completed_at=at(hours=4, minutes=1), now=at(days=30)) == "late"


def test_work_completed_before_the_due_time_stays_timely_whenever_it_is_judged() -> None:
    assert judge("closed", DUE, completed_at=at(hours=1), now=at(days=365)) == "timely"


def test_completion_counts_not_the_signature() -> None:
    # the customer signed off a day later: the order is closed, and still timely
    assert judge("closed", DUE, completed_at=at(hours=3), now=at(days=1)) == "timely"


@pytest.mark.parametrize("status", ["dispatched", "accepted", "assigned"])
def test_work_not_completed_after_its_due_time_is_late(status: str) -> None:
    assert judge(status, DUE, completed_at=None, now=at(hours=4, minutes=1)) == "late"


def test_work_not_completed_at_its_due_time_itself_is_still_pending() -> None:
    assert judge("assigned", DUE, completed_at=None, now=DUE) == "pending"


def test_work_not_completed_before_its_due_time_is_pending() -> None:
    assert judge("accepted", DUE, completed_at=None, now=at(hours=1)) == "pending"


@pytest.mark.parametrize("status", ["registered", "awaiting_decision", "awaiting_quote"])
def test_a_complaint_never_dispatched_is_pending_however_long_it_waits(status: str) -> None:
    assert judge(status, None, completed_at=None, now=at(days=90)) == "pending"


@pytest.mark.parametrize("status", ["withdrawn", "declined"])
def test_withdrawn_and_declined_complaints_are_counted_apart(status: str) -> None:
    assert judge(status, None, completed_at=None, now=at(days=1)) == status
    assert judge(status, DUE, completed_at=None, now=at(days=1)) == status


# ------------------------------------------------------------------ month


def test_a_complaint_at_23_30_on_31_october_in_shanghai_belongs_to_october() -> None:
    moment = datetime(2026, 10, 31, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
    assert moment.astimezone(SHANGHAI).hour == 23
    assert local_month(moment, SHANGHAI) == "2026-10"


def test_a_complaint_at_16_30_utc_on_31_october_belongs_to_november_in_shanghai() -> None:
    assert local_month(datetime(2026, 10, 31, 16, 30, tzinfo=UTC), SHANGHAI) == "2026-11"


def test_the_same_moment_belongs_to_october_in_utc() -> None:
    assert local_month(datetime(2026, 10, 31, 16, 30, tzinfo=UTC), UTC) == "2026-10"


def test_months_are_cut_at_local_midnight_across_a_daylight_saving_change() -> None:
    # 1 November 2026 begins at 04:00 UTC in New York (still on daylight time)
    assert local_month(datetime(2026, 11, 1, 3, 59, tzinfo=UTC), NEW_YORK) == "2026-10"
    assert local_month(datetime(2026, 11, 1, 4, 0, tzinfo=UTC), NEW_YORK) == "2026-11"
    # and 1 December at 05:00 UTC (standard time by then)
    assert local_month(datetime(2026, 12, 1, 4, 59, tzinfo=UTC), NEW_YORK) == "2026-11"
    assert local_month(datetime(2026, 12, 1, 5, 0, tzinfo=UTC), NEW_YORK) == "2026-12"


def test_a_month_given_in_local_time_stays_in_its_month() -> None:
    moment = datetime(2026, 11, 1, 0, 0, tzinfo=SHANGHAI)
    assert local_month(moment, SHANGHAI) == "2026-11"


# ------------------------------------------------------------------ the rate


@pytest.mark.parametrize(
    ("timely", "total", "rate"),
    [
        (2, 3, "66.67"),
        (1, 3, "33.33"),
        (1, 8, "12.50"),
        (1, 800, "0.13"),  # 0.125: half-up, not half-even (which would give 0.12)
        (3, 800, "0.38"),
        (5, 800, "0.63"),  # 0.625: half-up, not half-even (0.62)
        (104, 120, "86.67"),
        (0, 5, "0.00"),
        (7, 7, "100.00"),
    ],
)
def test_the_timely_rate_is_a_percentage_rounded_half_up_to_two_decimals_P16(
    timely: int, total: int, rate: str
) -> None:
    # when
    result = timely_rate(timely, total)
    # then
    assert result == Decimal(rate)
    assert str(result) == rate


def test_there_is_no_timely_rate_for_a_month_without_complaints() -> None:
    assert timely_rate(0, 0) is None
