"""Days and moments in intake's queries, read in the policy's time zone; 422 naming the field."""

import re
from datetime import date, datetime, timedelta, tzinfo

from shared.http import Invalid

_DAY = re.compile(r"^((?:19[7-9]|2\d\d)\d)-(\d\d)-(\d\d)$")  # 1970-01-01 … 2999-12-31
# A "+hh:mm" offset whose "+" a query string turned into a space.
_SPACED_OFFSET = re.compile(r" (\d\d:?\d\d)$")
DAY_HELP = "a date YYYY-MM-DD between 1970 and 2999 (a day in the company's time zone)"
MOMENT_HELP = f"{DAY_HELP}, or an ISO 8601 time with offset (e.g. 2026-11-29T09:00:00+08:00)"


def parse_day(text: str, field: str) -> date:
    """``YYYY-MM-DD``; an :class:`Invalid` naming ``field`` otherwise."""
    match = _DAY.match(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise Invalid({field: f"expected {DAY_HELP}, got {text!r}"}) from None


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a local day (a day of 23 or 25 hours where the zone shifts)."""
    start = datetime(day.year, day.month, day.day, tzinfo=tz)
    following = day + timedelta(days=1)
    return start, datetime(following.year, following.month, following.day, tzinfo=tz)


def parse_bound(text: str, field: str, tz: tzinfo, *, upper: bool) -> datetime:
    """A ``from`` (inclusive) or ``to`` bound, returned as [from, to) limits.

    A day means the whole local day: ``from`` its start, ``to`` its end. A time
    with offset means that moment, included at either end.
    """
    stripped = text.strip()
    if _DAY.match(stripped):
        start, end = day_bounds(parse_day(stripped, field), tz)
        return end if upper else start
    try:
        moment = datetime.fromisoformat(_SPACED_OFFSET.sub(r"+\1", stripped))
    except ValueError:
        raise Invalid({field: f"expected {MOMENT_HELP}, got {text!r}"}) from None
    if moment.utcoffset() is None:
        raise Invalid({field: f"expected {MOMENT_HELP}; {text!r} has no offset"})
    if not 1970 <= moment.year <= 2999:
        raise Invalid({field: f"expected {MOMENT_HELP}, got {text!r}"})
    return moment + timedelta(microseconds=1) if upper else moment
