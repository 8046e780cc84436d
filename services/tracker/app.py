"""Tracker's HTTP edge (port 8082): the open-order board and the work order's steps (P-9, P-15)."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query
from pydantic import AwareDatetime, BaseModel, Field

from services.tracker.incidents import add_incidents
from shared.app.bootstrap import ServiceContext
from shared.domain import commands as c
from shared.http import (
    Forbidden,
    LongText,
    QueryText,
    RateLimiter,
    RequestModel,
    ShortText,
    WholeNumber,
    create_app,
)
from shared.http import responses as error_responses
from shared.http.auth import Authenticator, Principal
from shared.http.complaint_access import (
    READ_ALL,
    act,
    check_mail_log_checker,
    install_domain_errors,
    order_public,
)
from shared.http.health import Health, add_health
from shared.projections.board import list_orders
from shared.projections.worker import ProjectionKeeper
from shared.vocabulary import Department, Status


class Order(BaseModel):
    complaint_id: str
    community: str
    unit: str
    category: str | None
    department: str | None
    description: str
    status: Status
    team: str | None
    dispatched_at: datetime
    due_at: datetime
    completed_at: datetime | None
    overdue: bool
    escalated: bool = Field(description="P-12: a serious complaint, reported to leadership")
    minutes_left: float = Field(description="time left before breach; negative once overdue")
    clock_stopped_since: datetime | None = Field(
        default=None, description="P-13: referred to an outside body since then; the "
        "commitment clock stands still (never overdue for it), due_at moves out on resolve")
    # --- P-9 B warnings and chases
    warned: bool = Field(description="the department was warned: alerts.warn_at_share of the "
                                     "time used (P-9 B)")
    chase_count: int = Field(description="chases (催办) made since the order fell due (P-9 B)")
    last_customer_contact: datetime | None = Field(
        description="the latest follow-up with the customer (P-9 C); null before any")


class OrderState(BaseModel):
    complaint_id: str
    status: str
    department: str | None
    category: str | None
    team: str | None
    dispatched_at: datetime | None
    due_at: datetime | None
    completed_at: datetime | None


class AssignBody(RequestModel):
    team: ShortText


class CompleteBody(RequestModel):
    note: LongText | None = None


class SignOffBody(RequestModel):
    quality: WholeNumber = Field(ge=1, le=5, description="服务质量, 1–5")
    attitude: WholeNumber = Field(ge=1, le=5, description="服务态度, 1–5")
    signed_by: ShortText
    comment: LongText | None = None


class FollowUpBody(RequestModel):
    note: LongText


class MailCheckBody(RequestModel):
    checked: ShortText
    finding: LongText


# --- reassign and reopen (P-6, P-9) ---


class ReassignBody(RequestModel):
    department: Department = Field(description="the department that should hold the order")
    reason: ShortText


class ReopenBody(RequestModel):
    reason: ShortText
# --- corrections (P-9): the customer's reschedule, a missed appointment


class BookedTime(RequestModel):
    start: AwareDatetime
    end: AwareDatetime


class RescheduleBody(RequestModel):
    appointment: BookedTime = Field(description="the customer's new booked time (客户预约时间)")
    reason: LongText | None = None


class MissedAppointmentBody(RequestModel):
    note: LongText | None = None


def create_tracker_app(context: ServiceContext, board: ProjectionKeeper) -> FastAPI:
    app = create_app("tracker", "The open-order board and the work order's life (P-9, P-15).",
                     clock=context.clock)
    install_domain_errors(app)
    add_health(app, Health(context))
    auth = Authenticator(context.settings.complaints_tokens, clock=context.clock)
    limiter = RateLimiter(**context.policy.limits.model_dump(), clock=context.clock)
    readers = Depends(auth.require(*READ_ALL, "department:*"))
    department_writes = Depends(limiter.limited(auth.require("department:*")))
    security_writes = Depends(limiter.limited(auth.require("department:security")))
    sign_off_writes = Depends(limiter.limited(auth.require("desk", "department:*")))
    desk_writes = Depends(limiter.limited(auth.require("desk")))

    def step(complaint_id: uuid.UUID, command: c.Command, who: Principal) -> OrderState:
        return OrderState(**order_public(act(context, str(complaint_id), command, who)))

    @app.get("/orders", response_model=list[Order], tags=["orders"])
    def orders(
        who: Annotated[Principal, readers],
        department: Department | None = None,
        community: QueryText | None = None,
        status: Annotated[Literal["open", "overdue", "all"], Query()] = "open",
    ) -> list[dict[str, Any]]:
        """Orders sorted by time left before breach; a department sees its own only."""
        shown: str | None = department
        if who.department is not None:
            if department not in (None, who.department):
                raise Forbidden("a department lists its own orders only")
            shown = who.department
        now = context.clock.now()
        return board.read(lambda conn: list_orders(conn, now, view=status, department=shown,
                                                   community=community))

    @app.post("/orders/{complaint_id}/accept", response_model=OrderState,
              responses=error_responses(404, 409), tags=["orders"])
    def accept(complaint_id: uuid.UUID, who: Annotated[Principal, department_writes]
               ) -> OrderState:
        """The department accepts the dispatched order (P-9 A)."""
        return step(complaint_id, c.AcceptOrder(), who)

    @app.post("/orders/{complaint_id}/assign", response_model=OrderState,
              responses=error_responses(404, 409), tags=["orders"])
    def assign(complaint_id: uuid.UUID, body: AssignBody,
               who: Annotated[Principal, department_writes]) -> OrderState:
        """The department assigns the order to a team (班组) at once (P-9 A)."""
        return step(complaint_id, c.AssignTeam(team=body.team), who)

    @app.post("/orders/{complaint_id}/complete", response_model=OrderState,
              responses=error_responses(404, 409), tags=["orders"])
    def complete(complaint_id: uuid.UUID, who: Annotated[Principal, department_writes],
                 body: CompleteBody | None = None) -> OrderState:
        """The team finished the work; completion is what timeliness counts (P-16)."""
        return step(complaint_id, c.CompleteOrder(note=body.note if body else None), who)

    @app.post("/orders/{complaint_id}/sign-off", response_model=OrderState,
              responses=error_responses(404, 409), tags=["orders"])
    def sign_off(complaint_id: uuid.UUID, body: SignOffBody,
                 who: Annotated[Principal, sign_off_writes]) -> OrderState:
        """The customer signs and rates quality and attitude; closes the order (P-9, P-15)."""
        return step(complaint_id, c.SignOff(quality=body.quality, attitude=body.attitude,
                                            signed_by=body.signed_by, comment=body.comment), who)

    @app.post("/orders/{complaint_id}/follow-ups", response_model=OrderState,
              responses=error_responses(404, 409), tags=["orders"])
    def follow_up(complaint_id: uuid.UUID, body: FollowUpBody,
                  who: Annotated[Principal, desk_writes]) -> OrderState:
        """Customer service reports progress back to the customer (P-9 C)."""
        return step(complaint_id, c.RecordFollowUp(note=body.note), who)

    @app.post("/complaints/{complaint_id}/mail-check", response_model=OrderState,
              responses=error_responses(404, 409), tags=["orders"])
    def mail_check(complaint_id: uuid.UUID, body: MailCheckBody,
                   who: Annotated[Principal, security_writes]) -> OrderState:
        """The security head's mail-log check (P-11a), needed before sign-off, whichever
        department holds the order."""
        command = c.RecordMailCheck(checked=body.checked, finding=body.finding)
        return OrderState(**order_public(act(context, str(complaint_id), command, who,
                                             check=check_mail_log_checker)))

    # --- reassign and reopen (P-6, P-9) ---

    @app.post("/orders/{complaint_id}/reassign", response_model=OrderState,
              responses=error_responses(404, 409), tags=["orders"])
    def reassign(complaint_id: uuid.UUID, body: ReassignBody,
                 who: Annotated[Principal, desk_writes]) -> OrderState:
        """Wrong routing (P-6): the order moves to another department, which accepts it afresh.

        Only before completion. The due time stays as first dispatched; the
        statistics count the order under the department that holds it at the end.
        """
        return step(complaint_id, c.ReassignOrder(department=body.department,
                                                  reason=body.reason), who)

    @app.post("/orders/{complaint_id}/reopen", response_model=OrderState,
              responses=error_responses(404, 409), tags=["orders"])
    def reopen(complaint_id: uuid.UUID, body: ReopenBody,
               who: Annotated[Principal, desk_writes]) -> OrderState:
        """The customer will not sign off (P-9): back to ``assigned``, same team.

        Only a completed order. Timeliness is judged on the final completion.
        """
        return step(complaint_id, c.ReopenOrder(reason=body.reason), who)

    add_incidents(app, context, auth, limiter)  # P-9/P-16 incidents
    # --- corrections (P-9): served here, beside the other steps of an open order. The due
    # time is the domain's (shared/domain/corrections.py), whichever service runs the step.
    @app.post("/orders/{complaint_id}/reschedule", response_model=OrderState,
              responses=error_responses(404, 409), tags=["orders"])
    def reschedule(complaint_id: uuid.UUID, body: RescheduleBody,
                   who: Annotated[Principal, desk_writes]) -> OrderState:
        """The customer books another time: the due time moves to its end, recorded as the
        customer's request (P-9). Only for a dispatched order not yet completed."""
        return step(complaint_id, c.RescheduleAppointment(
            appointment_start=body.appointment.start, appointment_end=body.appointment.end,
            reason=body.reason), who)

    @app.post("/orders/{complaint_id}/missed-appointment", response_model=OrderState,
              responses=error_responses(404, 409), tags=["orders"])
    def missed_appointment(complaint_id: uuid.UUID, who: Annotated[Principal, desk_writes],
                           body: MissedAppointmentBody | None = None) -> OrderState:
        """The department holding the order missed the customer's booked time; recorded
        against that department (the monthly report's ``missed_appointments``, P-9)."""
        return step(complaint_id, c.RecordMissedAppointment(note=body.note if body else None),
                    who)

    return app
