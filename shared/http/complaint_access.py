"""Who may see and act on which complaint, and how domain errors become HTTP answers.

Kept apart from the generic pieces of ``shared.http`` (which know nothing of
complaints) so this file reads as the procedure's edge rules.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.app.bootstrap import ServiceContext
from shared.domain.commands import Command
from shared.domain.errors import InvalidCommand, RuleViolation, UnknownComplaint
from shared.domain.state import Complaint
from shared.events import Envelope, Metadata
from shared.eventstore.store import ConcurrencyError
from shared.http import Conflict, Forbidden, Invalid, NotFound, error_response
from shared.http.auth import Principal

# Roles that read every complaint (contract.md, Roles and tokens).
READ_ALL = ("desk", "manager", "leadership")


def install_domain_errors(app: FastAPI) -> None:
    """Domain errors become the contract's 409 / 422 / 404, naming the rule or field."""

    async def on_rule(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RuleViolation)
        return error_response(Conflict(exc.rule, str(exc).removeprefix(f"{exc.rule}: ")))

    async def on_invalid(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, InvalidCommand)
        return error_response(Invalid({exc.field: exc.message}, str(exc)))

    async def on_unknown(_request: Request, _exc: Exception) -> JSONResponse:
        return error_response(NotFound("no such complaint"))

    async def on_race(_request: Request, _exc: Exception) -> JSONResponse:
        return error_response(Conflict("P-6", "the complaint changed meanwhile; try again"))

    app.add_exception_handler(RuleViolation, on_rule)
    app.add_exception_handler(InvalidCommand, on_invalid)
    app.add_exception_handler(UnknownComplaint, on_unknown)
    app.add_exception_handler(ConcurrencyError, on_race)


def metadata_for(principal: Principal) -> Metadata:
    correlation_id = structlog.contextvars.get_contextvars().get("correlation_id")
    return Metadata(correlation_id=correlation_id, actor=principal.actor)


def load_visible(context: ServiceContext, complaint_id: str, principal: Principal
                 ) -> tuple[Complaint, list[Envelope]]:
    """The complaint, if it exists and ``principal`` may see it (404 / 403 otherwise)."""
    structlog.contextvars.bind_contextvars(complaint_id=complaint_id)
    state, history = context.handler.load(complaint_id)
    check_visible(state, complaint_id, principal)
    return state, history


def check_visible(state: Complaint, complaint_id: str, principal: Principal) -> None:
    if state.status == "new":
        raise NotFound(f"no complaint {complaint_id}")
    check_department(state, principal)


def act(context: ServiceContext, complaint_id: str, command: Command, principal: Principal,
        check: Callable[[Complaint, str, Principal], None] | None = None) -> Complaint:
    """Run ``command`` as ``principal``, if they may act on the complaint (404 / 403).

    ``check`` replaces the usual rule (a department acts on its own orders) where
    the procedure names someone else: see :func:`check_mail_log_checker`.
    """
    structlog.contextvars.bind_contextvars(complaint_id=complaint_id)
    may_act = check or check_visible
    outcome = context.handler.execute(
        complaint_id, command, metadata_for(principal),
        check=lambda state: may_act(state, complaint_id, principal))
    return outcome.state


def check_mail_log_checker(state: Complaint, complaint_id: str, principal: Principal) -> None:
    """P-11a: the head of security has the mail logs checked, whichever department holds
    the order now (a mail complaint reassigned away from security still needs the check)."""
    if state.status == "new":
        raise NotFound(f"no complaint {complaint_id}")
    if not (state.mail_check_needed and principal.department == "security"):
        check_department(state, principal)


def check_department(state: Complaint, principal: Principal) -> None:
    """A department sees and acts on its own orders only."""
    if principal.role in READ_ALL:
        return
    if principal.department is None or principal.department != state.department:
        raise Forbidden("this complaint is not your department's")


def order_public(state: Complaint) -> dict[str, Any]:
    return {
        "complaint_id": state.complaint_id,
        "status": state.status,
        "department": state.department,
        "category": state.category,
        "team": state.team,
        "dispatched_at": state.dispatched_at,
        "due_at": state.due_at,
        "completed_at": state.completed_at,
    }


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
