"""Reporting's corrective-action routes (P-17, 限期整改): the manager records and closes them.

- ``POST /corrective-actions`` (manager): an action against one of a month's
  alerts, with its owner and deadline; 201 with its id. The alert must be one
  the month's report shows now (422 naming ``alert`` otherwise).
- ``POST /corrective-actions/{id}/close`` (manager): its outcome; 409 if closed.
- ``GET /corrective-actions?status=open|closed|all`` and
  ``GET /corrective-actions/{id}`` (manager, leadership).

The events live in their own streams (``action-<uuid>``), decided by
``shared.domain.corrective_actions``; the monthly report lists them too.
"""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from shared.app.action_handler import CorrectiveActionHandler
from shared.app.bootstrap import ServiceContext
from shared.domain import events as ev
from shared.domain.analysis import alert_key
from shared.domain.corrective_actions import (
    CloseCorrectiveAction,
    CorrectiveAction,
    OpenCorrectiveAction,
    UnknownCorrectiveAction,
)
from shared.http import Invalid, NotFound, RateLimiter, RequestModel, ShortText
from shared.http import responses as error_responses
from shared.http.auth import Authenticator, Principal
from shared.http.complaint_access import metadata_for
from shared.projections.analysis import alerts_of
from shared.projections.corrective_actions import Listing, action_public, actions_as_of, listed
from shared.projections.monthly import MONTH_PATTERN
from shared.projections.worker import ProjectionKeeper


def _date_text(value: object) -> object:
    # Lax pydantic would read a number as a Unix time: a deadline is written YYYY-MM-DD.
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "a date YYYY-MM-DD is expected")
    return value


class AlertRefBody(RequestModel):
    kind: Literal["timely_rate_drop", "satisfaction_below_floor"]
    scope: Literal["department", "category"]
    id: ShortText = Field(description="the department's or the category's id")
    month: Annotated[str, Field(pattern=MONTH_PATTERN.pattern, description="YYYY-MM")]


class CorrectiveActionCreate(RequestModel):
    alert: AlertRefBody
    action: ShortText = Field(description="what will be done")
    owner: ShortText = Field(description="who answers for it")
    deadline: Annotated[date, BeforeValidator(_date_text)] = Field(
        description="YYYY-MM-DD, local; not in the past")


class CorrectiveActionClose(RequestModel):
    outcome: ShortText


class CorrectiveActionOut(BaseModel):
    id: str
    status: Literal["open", "closed"]
    alert: dict[str, str] = Field(description="kind, scope, id and month of the alert")
    action: str
    owner: str
    deadline: date
    opened_at: datetime
    overdue: bool = Field(description="still open after its deadline day")
    closed_at: datetime | None
    outcome: str | None


class CorrectiveActionList(BaseModel):
    corrective_actions: list[CorrectiveActionOut]


def add_corrective_actions(app: FastAPI, context: ServiceContext, monthly: ProjectionKeeper,
                           auth: Authenticator) -> None:
    handler = CorrectiveActionHandler(context.store, context.policy, context.clock)
    limiter = RateLimiter(**context.policy.limits.model_dump(), clock=context.clock)
    manager_writes = Depends(limiter.limited(auth.require("manager")))
    readers = Depends(auth.require("manager", "leadership"))
    tz = context.policy.tz

    def public(action: CorrectiveAction) -> dict[str, Any]:
        return action_public(action, context.clock.now(), tz)

    @app.post("/corrective-actions", status_code=201, response_model=CorrectiveActionOut,
              responses=error_responses(409), tags=["corrective actions"])
    def open_action(body: CorrectiveActionCreate, who: Annotated[Principal, manager_writes]
                    ) -> Any:
        """P-17: corrective action with a deadline (限期整改) against a month's alert."""
        alert = ev.AlertRef(**body.alert.model_dump())
        now = context.clock.now()
        shown = monthly.read(lambda conn: alerts_of(conn, context.policy, alert.month, now))
        if alert_key(alert.model_dump()) not in shown:
            raise Invalid({"alert": f"no such alert in the {alert.month} report"},
                          f"alert: the {alert.month} report shows no {alert.kind} alert for "
                          f"{alert.scope} {alert.id!r}")
        action_id = str(uuid.uuid4())
        state = handler.execute(action_id, OpenCorrectiveAction(
            action_id=action_id, alert=alert, action=body.action, owner=body.owner,
            deadline=body.deadline), metadata_for(who))
        return JSONResponse(CorrectiveActionOut(**public(state)).model_dump(mode="json"),
                            status_code=201)

    @app.post("/corrective-actions/{action_id}/close", response_model=CorrectiveActionOut,
              responses=error_responses(404, 409), tags=["corrective actions"])
    def close_action(action_id: uuid.UUID, body: CorrectiveActionClose,
                     who: Annotated[Principal, manager_writes]) -> dict[str, Any]:
        """P-17: the action is done; its outcome is recorded and it leaves later reports."""
        try:
            state = handler.execute(str(action_id), CloseCorrectiveAction(outcome=body.outcome),
                                    metadata_for(who))
        except UnknownCorrectiveAction:
            raise NotFound(f"no corrective action {action_id}") from None
        return public(state)

    @app.get("/corrective-actions", response_model=CorrectiveActionList,
             tags=["corrective actions"])
    def list_actions(who: Annotated[Principal, readers],
                     status: Annotated[Literal["open", "closed", "all"], Query(
                         description="open (default), closed or all")] = "open",
                     ) -> dict[str, Any]:
        """The corrective actions, oldest first."""
        wanted: Listing = status
        with context.store.engine.connect() as conn:
            actions = listed(actions_as_of(conn), wanted)
        return {"corrective_actions": [public(a) for a in actions]}

    @app.get("/corrective-actions/{action_id}", response_model=CorrectiveActionOut,
             responses=error_responses(404), tags=["corrective actions"])
    def one_action(action_id: uuid.UUID, who: Annotated[Principal, readers]) -> dict[str, Any]:
        state = handler.load(str(action_id))
        if state.status == "new":
            raise NotFound(f"no corrective action {action_id}")
        return public(state)
