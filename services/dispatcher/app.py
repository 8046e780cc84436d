"""Dispatcher's HTTP edge (port 8084): free or paid, quotes (P-7, P-8, P-10), and
leadership's inspection of a serious complaint (P-12)."""

import uuid
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field, StrictBool

from services.dispatcher.referral import add_referral_routes
from shared.app.bootstrap import ServiceContext
from shared.domain import commands as c
from shared.domain.state import Complaint
from shared.http import LongText, RateLimiter, RequestModel, ShortText, WholeNumber, create_app
from shared.http import responses as error_responses
from shared.http.auth import Authenticator, Principal
from shared.http.complaint_access import act, install_domain_errors
from shared.http.health import Health, add_health


class PaidBody(RequestModel):
    paid: StrictBool


class QuoteItemBody(RequestModel):
    fee: ShortText
    quantity: WholeNumber = Field(default=1, ge=1, le=1000)


class QuoteBody(RequestModel):
    items: list[QuoteItemBody] = Field(min_length=1, max_length=50)


class DeclineBody(RequestModel):
    reason: LongText | None = None


# --- P-12 serious complaints


class InspectionBody(RequestModel):
    findings: LongText
    decision: ShortText
    present: list[ShortText] = Field(min_length=1, max_length=50,
                                     description="who was present at the inspection")


class InspectionRecord(BaseModel):
    findings: str
    decision: str
    present: list[str]
    inspected_at: Any


class InspectionState(BaseModel):
    complaint_id: str
    status: str
    department: str | None
    severity: str
    escalated: bool
    inspections: list[InspectionRecord]


def _inspections(state: Complaint) -> InspectionState:
    return InspectionState(
        complaint_id=state.complaint_id, status=state.status, department=state.department,
        severity=state.severity, escalated=state.escalated,
        inspections=[InspectionRecord(findings=i.findings, decision=i.decision,
                                      present=list(i.present), inspected_at=i.inspected_at)
                     for i in state.inspections])


class DispatchState(BaseModel):
    complaint_id: str
    status: str
    department: str | None
    category: str | None
    paid: bool | None
    quote: dict[str, Any] | None
    due_at: Any


def _public(state: Complaint) -> DispatchState:
    quote = None
    if state.quote is not None:
        quote = {"lines": [line.model_dump() for line in state.quote.lines],
                 "total": state.quote.total}
    return DispatchState(complaint_id=state.complaint_id, status=state.status,
                         department=state.department, category=state.category, paid=state.paid,
                         quote=quote, due_at=state.due_at)


def create_dispatcher_app(context: ServiceContext) -> FastAPI:
    app = create_app("dispatcher", "Routing, free or paid, quotes and dispatch (P-6…P-12).",
                     clock=context.clock)
    install_domain_errors(app)
    add_health(app, Health(context, needs_broker=True))
    auth = Authenticator(context.settings.complaints_tokens, clock=context.clock)
    limiter = RateLimiter(**context.policy.limits.model_dump(), clock=context.clock)
    desk_writes = Depends(limiter.limited(auth.require("desk")))

    def step(complaint_id: uuid.UUID, command: c.Command, who: Principal) -> DispatchState:
        return _public(act(context, str(complaint_id), command, who))

    @app.post("/complaints/{complaint_id}/paid", response_model=DispatchState,
              responses=error_responses(404, 409), tags=["dispatch"])
    def decide_paid(complaint_id: uuid.UUID, body: PaidBody,
                    who: Annotated[Principal, desk_writes]) -> DispatchState:
        """P-7: settle whether an in-unit repair is free (dispatched now) or paid (quote)."""
        return step(complaint_id, c.DecidePaid(paid=body.paid), who)

    @app.post("/complaints/{complaint_id}/quote", response_model=DispatchState,
              responses=error_responses(404, 409), tags=["dispatch"])
    def quote(complaint_id: uuid.UUID, body: QuoteBody,
              who: Annotated[Principal, desk_writes]) -> DispatchState:
        """P-8, P-10: price paid work from the fee schedule; quoting again replaces it."""
        items = tuple(c.QuoteItem(fee=i.fee, quantity=i.quantity) for i in body.items)
        return step(complaint_id, c.IssueQuote(items=items), who)

    @app.post("/complaints/{complaint_id}/quote/accept", response_model=DispatchState,
              responses=error_responses(404, 409), tags=["dispatch"])
    def accept_quote(complaint_id: uuid.UUID, who: Annotated[Principal, desk_writes]
                     ) -> DispatchState:
        """P-8: the customer accepted the price; the order is dispatched with it."""
        return step(complaint_id, c.AcceptQuote(), who)

    @app.post("/complaints/{complaint_id}/quote/decline", response_model=DispatchState,
              responses=error_responses(404, 409), tags=["dispatch"])
    def decline_quote(complaint_id: uuid.UUID, who: Annotated[Principal, desk_writes],
                      body: DeclineBody | None = None) -> DispatchState:
        """P-8: the customer declined the price; the complaint ends as declined."""
        return step(complaint_id, c.DeclineQuote(reason=body.reason if body else None), who)

    # --- P-12 serious complaints
    leadership_writes = Depends(limiter.limited(auth.require("leadership")))

    @app.post("/complaints/{complaint_id}/inspection", response_model=InspectionState,
              responses=error_responses(404, 409), tags=["escalation"])
    def inspect(complaint_id: uuid.UUID, body: InspectionBody,
                who: Annotated[Principal, leadership_writes]) -> InspectionState:
        """P-12: leadership's inspection of the site and the records of a serious complaint:
        what it found, what it decided, who was present. 409 for a complaint not serious."""
        command = c.RecordInspection(findings=body.findings, decision=body.decision,
                                     present=tuple(body.present))
        return _inspections(act(context, str(complaint_id), command, who))
    # --- P-13 referral ---
    add_referral_routes(app, context, desk_writes)

    return app
