"""Finding complaints: ``GET /complaints`` (desk, manager, leadership; a department, its own).

Every status, including those on no board (awaiting the paid/free decision or a
quote, withdrawn, declined); read from the complaint index, brought current first.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel

from services.intake.dates import parse_bound
from shared.app.bootstrap import ServiceContext
from shared.http import Forbidden, Invalid, QueryText
from shared.http.auth import Authenticator, Principal
from shared.http.complaint_access import READ_ALL
from shared.projections.complaint_index import (
    LAST_DIGITS,
    ComplaintSearch,
    digits_of,
    find_complaints,
)
from shared.projections.worker import ProjectionKeeper
from shared.vocabulary import DEPARTMENTS, STATUSES

MAX_LIMIT = 200
MAX_OFFSET = 1_000_000_000
# A full number: a mobile has 11 digits, a landline with its area code 10 to 12.
FULL_NUMBER_DIGITS = range(10, 13)
_PHONE_CHARACTERS = set("0123456789 -()")


class ComplaintSummary(BaseModel):
    complaint_id: str
    registered_at: datetime
    channel: str
    community: str
    unit: str
    customer_name: str
    phone: str
    category: str | None
    department: str | None
    status: str
    severity: str
    dispatched_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None


class ComplaintPage(BaseModel):
    complaints: list[ComplaintSummary]
    total: int
    limit: int
    offset: int


def _given(value: str | None) -> str | None:
    """A filter as typed, blanks trimmed; an empty one (``?unit=``) filters nothing."""
    if value is None:
        return None
    return value.strip() or None


def _one_of(value: str | None, field: str, allowed: tuple[str, ...]) -> str | None:
    value = _given(value)
    if value is not None and value not in allowed:
        raise Invalid({field: "one of " + ", ".join(allowed)})
    return value


def _phone_digits(value: str | None) -> str | None:
    """The digits to match: the last four, or the full number."""
    value = _given(value)
    if value is None:
        return None
    digits = digits_of(value)
    if set(value) <= _PHONE_CHARACTERS and (
            len(digits) == LAST_DIGITS or len(digits) in FULL_NUMBER_DIGITS):
        return digits
    raise Invalid({"phone": f"the full number (e.g. 13800138000) or its last {LAST_DIGITS} "
                            "digits (e.g. 8000)"})


def add_search(app: FastAPI, context: ServiceContext, auth: Authenticator,
               index: ProjectionKeeper) -> None:
    searchers = Depends(auth.require(*READ_ALL, "department:*"))
    tz = context.policy.tz

    @app.get("/complaints", response_model=ComplaintPage, tags=["complaints"])
    def search(
        who: Annotated[Principal, searchers],
        unit: QueryText | None = None,
        phone: QueryText | None = None,
        status: QueryText | None = None,
        community: QueryText | None = None,
        category: QueryText | None = None,
        department: QueryText | None = None,
        registered_from: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        registered_to: Annotated[str | None, Query(alias="to", max_length=40)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
    ) -> dict[str, Any]:
        """Find complaints in every status, newest first, a page at a time.

        ``phone``: the full number or its last four digits. ``from``/``to``: a
        day (local time, the whole day) or a time with offset. A department
        finds only complaints it holds now.
        """
        shown = _one_of(department, "department", DEPARTMENTS)
        if who.department is not None:
            if shown not in (None, who.department):
                raise Forbidden("a department finds its own complaints only")
            shown = who.department
        start = _given(registered_from)
        end = _given(registered_to)
        search = ComplaintSearch(
            unit=_given(unit), phone=_phone_digits(phone),
            status=_one_of(status, "status", STATUSES), community=_given(community),
            category=_given(category), department=shown,
            registered_from=parse_bound(start, "from", tz, upper=False) if start else None,
            registered_before=parse_bound(end, "to", tz, upper=True) if end else None,
            limit=limit, offset=offset)
        if (search.registered_from and search.registered_before
                and search.registered_before <= search.registered_from):
            raise Invalid({"to": "must not be before from"})
        rows, total = index.read(lambda conn: find_complaints(conn, search))
        return {"complaints": rows, "total": total, "limit": limit, "offset": offset}

