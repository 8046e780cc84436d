"""The call record (P-4, form 7.2): ``POST /calls`` (desk), ``GET /calls?date=`` (readers).

Every call is recorded, even one that is no complaint; a call that raised a
complaint names it (``complaint_id``, which must exist). The list of one day
(in the policy's time zone) is read from the call list, brought current first.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header
from pydantic import BaseModel

from services.intake.dates import day_bounds, parse_day
from services.intake.idempotency import Idempotency
from shared.app.bootstrap import ServiceContext
from shared.app.call_recorder import CallRecorder
from shared.domain.commands import RecordCall
from shared.domain.events import CallRecorded
from shared.events import Envelope, to_event
from shared.eventstore.records import DuplicateRecord, IdempotentAnswer
from shared.http import Phone, QueryText, RateLimiter, RequestModel, ShortText
from shared.http.auth import Authenticator, Principal
from shared.http.complaint_access import READ_ALL, metadata_for
from shared.projections.calls import list_calls
from shared.projections.worker import ProjectionKeeper


class CallCreate(RequestModel):
    """The call record (客户来电记录表, form 7.2)."""

    caller: ShortText
    phone: Phone
    received_by: ShortText
    summary: ShortText
    complaint_id: uuid.UUID | None = None


class CallPublic(BaseModel):
    call_id: str
    received_at: datetime
    caller: str
    phone: str
    received_by: str
    summary: str
    complaint_id: str | None
    recorded_by: str | None


class CallList(BaseModel):
    date: str
    timezone: str
    calls: list[CallPublic]


def _public(envelope: Envelope) -> CallPublic:
    call = to_event(envelope)
    assert isinstance(call, CallRecorded)
    return CallPublic(call_id=call.call_id, received_at=call.received_at, caller=call.caller,
                      phone=call.phone, received_by=call.received_by, summary=call.summary,
                      complaint_id=call.complaint_id, recorded_by=envelope.metadata.actor)


def add_calls(app: FastAPI, context: ServiceContext, auth: Authenticator,
              limiter: RateLimiter, idempotency: Idempotency, call_list: ProjectionKeeper
              ) -> None:
    desk_writes = Depends(limiter.limited(auth.require("desk")))
    readers = Depends(auth.require(*READ_ALL))
    recorder = CallRecorder(context.store, context.handler, context.clock)

    @app.post("/calls", status_code=201, response_model=CallPublic, tags=["calls"])
    def record(
        body: CallCreate,
        who: Annotated[Principal, desk_writes],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> Any:
        """Record a call (P-4), complaint or not; ``complaint_id`` names the one it raised."""
        request = idempotency.begin(who.token_id, idempotency_key, body)
        if (earlier := request.earlier_answer()) is not None:
            return earlier

        def key_row(envelope: Envelope) -> list[IdempotentAnswer]:
            return request.rows(_public(envelope))

        command = RecordCall(
            call_id=str(uuid.uuid4()), caller=body.caller, phone=body.phone,
            received_by=body.received_by, summary=body.summary,
            complaint_id=str(body.complaint_id) if body.complaint_id else None)
        try:
            recorded = recorder.record(command, metadata_for(who), also=key_row)
        except DuplicateRecord:  # the same key raced in twice: the first one won
            return request.winner_answer()
        return _public(recorded)

    @app.get("/calls", response_model=CallList, tags=["calls"])
    def calls_of_a_day(who: Annotated[Principal, readers],
                       date: QueryText | None = None) -> dict[str, Any]:
        """The calls of one day (``YYYY-MM-DD`` in the company's time zone; today by default),
        in the order they came in."""
        tz = context.policy.tz
        day = parse_day(date, "date") if date else context.clock.now().astimezone(tz).date()
        start, end = day_bounds(day, tz)
        rows = call_list.read(lambda conn: list_calls(conn, start, end))
        return {"date": day.isoformat(), "timezone": context.policy.timezone, "calls": rows}
