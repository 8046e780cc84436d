"""Intake's HTTP edge (port 8081): registering complaints (P-3, P-4, P-5), finding them,
and the call record (P-4; ``calls``, ``search``)."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header
from pydantic import AwareDatetime, BaseModel, StrictBool

from services.intake.calls import add_calls
from services.intake.idempotency import Idempotency
from services.intake.search import add_search
from shared.app.bootstrap import ServiceContext
from shared.domain.commands import AmendRegistration, RegisterComplaint, Withdraw
from shared.domain.state import Complaint
from shared.events import Envelope, to_event
from shared.eventstore.records import DuplicateRecord, IdempotentAnswer
from shared.http import LongText, Phone, RateLimiter, RequestModel, ShortText, create_app
from shared.http import responses as error_responses
from shared.http.auth import Authenticator, Principal
from shared.http.complaint_access import (
    READ_ALL,
    act,
    install_domain_errors,
    load_visible,
    metadata_for,
)
from shared.http.health import Health, add_health
from shared.projections.calls import CallsProjection
from shared.projections.complaint_index import ComplaintIndexProjection
from shared.projections.worker import ProjectionKeeper
from shared.vocabulary import Channel, Severity


class Appointment(RequestModel):
    start: AwareDatetime
    end: AwareDatetime


class ComplaintCreate(RequestModel):
    """The registration form (客户投诉登记表, P-4)."""

    channel: Channel
    community: ShortText
    unit: ShortText
    customer_name: ShortText
    phone: Phone
    description: LongText
    category: ShortText | None = None
    appointment: Appointment | None = None
    severity: Severity = "normal"
    read_back_confirmed: StrictBool = False
    received_by: ShortText | None = None


class ComplaintCreated(BaseModel):
    complaint_id: str
    status: str
    registered_at: datetime


class WithdrawBody(RequestModel):
    reason: LongText


# --- corrections (P-5): the desk amends the registration form


class AmendBody(RequestModel):
    """The fields to correct (at least one) and why; a field left out stays as recorded."""

    reason: LongText
    unit: ShortText | None = None
    phone: Phone | None = None
    category: ShortText | None = None
    description: LongText | None = None


class HistoryEntry(BaseModel):
    type: str
    occurred_at: datetime
    actor: str | None
    data: dict[str, Any]


class ComplaintPublic(BaseModel):
    complaint_id: str
    status: str
    channel: str
    community: str
    unit: str
    customer_name: str
    phone: str
    description: str
    category: str | None
    department: str | None
    severity: str
    registered_at: datetime
    dispatched_at: datetime | None
    due_at: datetime | None
    team: str | None
    completed_at: datetime | None
    history: list[HistoryEntry]


def _register_command(complaint_id: str, body: ComplaintCreate) -> RegisterComplaint:
    return RegisterComplaint(
        complaint_id=complaint_id, channel=body.channel, community=body.community,
        unit=body.unit, customer_name=body.customer_name, phone=body.phone,
        description=body.description, category=body.category,
        appointment_start=body.appointment.start if body.appointment else None,
        appointment_end=body.appointment.end if body.appointment else None,
        severity=body.severity, read_back_confirmed=body.read_back_confirmed,
        received_by=body.received_by)


def _public(state: Complaint, history: list[Envelope]) -> ComplaintPublic:
    registration = state.registration
    assert registration is not None
    return ComplaintPublic(
        complaint_id=state.complaint_id, status=state.status, channel=registration.channel,
        community=registration.community, unit=registration.unit,
        customer_name=registration.customer_name, phone=registration.phone,
        description=registration.description, category=state.category,
        department=state.department, severity=state.severity,  # P-12: raised by a serious word too
        registered_at=registration.registered_at, dispatched_at=state.dispatched_at,
        due_at=state.due_at, team=state.team, completed_at=state.completed_at,
        history=[HistoryEntry(type=e.type, occurred_at=e.occurred_at, actor=e.metadata.actor,
                              data=to_event(e).model_dump(mode="json")) for e in history])


def _document_categories(app: FastAPI, categories: list[str]) -> None:
    """The OpenAPI document lists the policy's categories, so a kiosk can offer them."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        field = schema["components"]["schemas"]["ComplaintCreate"]["properties"]["category"]
        for option in field.get("anyOf", []):
            if option.get("type") == "string":
                option["enum"] = categories
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def intake_projections(context: ServiceContext) -> tuple[ProjectionKeeper, ProjectionKeeper]:
    """Intake's read models: the complaint index (search) and the call list (P-4)."""
    return (ProjectionKeeper(context.store, ComplaintIndexProjection()),
            ProjectionKeeper(context.store, CallsProjection()))


def create_intake_app(context: ServiceContext, complaint_index: ProjectionKeeper | None = None,
                      call_list: ProjectionKeeper | None = None) -> FastAPI:
    """The app; each projection keeper not given is made here (reads catch it up)."""
    app = create_app("intake", "Registering complaints and repair requests (P-3, P-4, P-5), "
                     "finding complaints, and the call record (P-4).", clock=context.clock)
    default_index, default_calls = intake_projections(context)
    _document_categories(app, list(context.policy.categories))
    install_domain_errors(app)
    add_health(app, Health(context))
    auth = Authenticator(context.settings.complaints_tokens, clock=context.clock)
    limiter = RateLimiter(**context.policy.limits.model_dump(), clock=context.clock)
    anyone_writes = Depends(limiter.limited(auth.require()))
    desk_writes = Depends(limiter.limited(auth.require("desk")))
    readers = Depends(auth.require(*READ_ALL, "department:*"))
    idempotency = Idempotency(context)

    @app.post("/complaints", status_code=201, response_model=ComplaintCreated,
              responses=error_responses(409), tags=["complaints"])
    def register(
        body: ComplaintCreate,
        who: Annotated[Principal, anyone_writes],
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
    ) -> Any:
        """Register a complaint. Any staff role (P-3) and kiosks may."""
        request = idempotency.begin(who.token_id, idempotency_key, body)
        if (earlier := request.earlier_answer()) is not None:
            return earlier
        complaint_id = str(uuid.uuid4())

        def key_row(state: Complaint, _events: list[Envelope]) -> list[IdempotentAnswer]:
            assert state.registration is not None
            return request.rows(ComplaintCreated(
                complaint_id=complaint_id, status=state.status,
                registered_at=state.registration.registered_at))

        try:
            outcome = context.handler.execute(
                complaint_id, _register_command(complaint_id, body), metadata_for(who),
                also=key_row)
        except DuplicateRecord:  # the same key raced in twice: the first one won
            return request.winner_answer()
        registration = outcome.state.registration
        assert registration is not None
        return ComplaintCreated(complaint_id=complaint_id, status=outcome.state.status,
                                registered_at=registration.registered_at)

    @app.get("/complaints/{complaint_id}", response_model=ComplaintPublic,
             responses=error_responses(404), tags=["complaints"])
    def show(complaint_id: uuid.UUID, who: Annotated[Principal, readers]) -> ComplaintPublic:
        """The complaint, its status, department, due time and history."""
        state, history = load_visible(context, str(complaint_id), who)
        return _public(state, history)

    @app.post("/complaints/{complaint_id}/withdraw", response_model=ComplaintPublic,
              responses=error_responses(404, 409), tags=["complaints"])
    def withdraw(complaint_id: uuid.UUID, body: WithdrawBody,
                 who: Annotated[Principal, desk_writes]) -> ComplaintPublic:
        """The customer withdraws the complaint; only until the department accepts it."""
        act(context, str(complaint_id), Withdraw(reason=body.reason), who)
        return _public(*context.handler.load(str(complaint_id)))

    # --- GET /complaints search and P-4 call records ---
    add_search(app, context, auth, complaint_index or default_index)
    add_calls(app, context, auth, limiter, idempotency, call_list or default_calls)
    # --- corrections (P-5)
    @app.post("/complaints/{complaint_id}/amend", response_model=ComplaintPublic,
              responses=error_responses(404, 409), tags=["complaints"])
    def amend(complaint_id: uuid.UUID, body: AmendBody,
              who: Annotated[Principal, desk_writes]) -> ComplaintPublic:
        """Correct the unit, phone, category or description, saying why (P-5, 记清楚).

        The history keeps the old and the new values. A corrected category routes a
        complaint not yet dispatched again; a dispatched order keeps its department and
        due time (reassign moves it). Allowed until the order is closed."""
        act(context, str(complaint_id), AmendRegistration(
            reason=body.reason, unit=body.unit, phone=body.phone, category=body.category,
            description=body.description), who)
        return _public(*context.handler.load(str(complaint_id)))

    return app
