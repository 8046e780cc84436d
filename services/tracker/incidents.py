"""Tracker's incident routes (P-9/P-16): many complaints, one cause.

- ``POST /incidents`` (desk): ``{"title", "community", "department", "complaint_ids"}``;
  201 ``{"incident_id", ...}``. Each complaint records the link in its own history.
- ``POST /incidents/{id}/complaints`` (desk): ``{"complaint_ids": [...]}``, link more.
- ``POST /incidents/{id}/complete`` (the holding department, or desk): ``{"note"?}``;
  completes every linked order being worked, at the incident's completion time,
  and lists the orders it skipped; 409 (P-9) once completed.
- ``GET /incidents/{id}`` (desk, manager, leadership, the holding department).
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from shared.app.bootstrap import ServiceContext
from shared.app.incident_handler import IncidentHandler, UnknownLinkedComplaint
from shared.domain.incidents import Incident, OpenIncident, UnknownIncident
from shared.http import (
    Forbidden,
    Invalid,
    LongText,
    NotFound,
    RateLimiter,
    RequestModel,
    ShortText,
    error_response,
)
from shared.http import responses as error_responses
from shared.http.auth import Authenticator, Principal
from shared.http.complaint_access import READ_ALL, metadata_for
from shared.vocabulary import Department

ComplaintIds = Annotated[list[uuid.UUID], Field(max_length=1000)]


class IncidentCreate(RequestModel):
    title: ShortText = Field(description="what happened, e.g. 3号楼水管爆裂")
    community: ShortText
    department: Department = Field(description="the department that holds the work")
    complaint_ids: ComplaintIds = Field(default_factory=list)


class LinkBody(RequestModel):
    complaint_ids: ComplaintIds


class CompleteIncidentBody(RequestModel):
    note: LongText | None = None


class Skipped(BaseModel):
    complaint_id: str
    status: str
    reason: str


class IncidentOut(BaseModel):
    incident_id: str
    status: str = Field(description="open or completed")
    title: str
    community: str
    department: str
    opened_at: datetime
    complaint_ids: list[str]
    completed_at: datetime | None
    note: str | None
    completed: list[str] = Field(description="orders the incident's completion completed")
    skipped: list[Skipped] = Field(description="orders it left alone, and why")


def incident_public(incident: Incident) -> dict[str, Any]:
    opened = incident.opened
    assert opened is not None
    done = incident.completed
    return {"incident_id": incident.incident_id, "status": incident.status,
            "title": opened.title, "community": opened.community,
            "department": opened.department, "opened_at": opened.opened_at,
            "complaint_ids": list(incident.complaint_ids),
            "completed_at": done.completed_at if done else None,
            "note": done.note if done else None,
            "completed": list(done.completed) if done else [],
            "skipped": [s.model_dump() for s in done.skipped] if done else []}


def _ids(ids: list[uuid.UUID]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(i) for i in ids))


def add_incidents(app: FastAPI, context: ServiceContext, auth: Authenticator,
                  limiter: RateLimiter) -> None:
    handler = IncidentHandler(context.store, context.handler, context.clock)
    desk_writes = Depends(limiter.limited(auth.require("desk")))
    completers = Depends(limiter.limited(auth.require("desk", "department:*")))
    readers = Depends(auth.require(*READ_ALL, "department:*"))

    async def on_unknown_incident(_request: Request, _exc: Exception) -> JSONResponse:
        return error_response(NotFound("no such incident"))

    async def on_unknown_complaint(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, UnknownLinkedComplaint)
        return error_response(Invalid({"complaint_ids": str(exc)}, str(exc)))

    app.add_exception_handler(UnknownIncident, on_unknown_incident)
    app.add_exception_handler(UnknownLinkedComplaint, on_unknown_complaint)

    def visible(incident_id: uuid.UUID, who: Principal) -> Incident:
        incident = handler.load(str(incident_id))
        if incident.status == "new":
            raise NotFound(f"no incident {incident_id}")
        assert incident.opened is not None
        if who.department is not None and who.department != incident.opened.department:
            raise Forbidden("the incident is held by another department")
        return incident

    @app.post("/incidents", status_code=201, response_model=IncidentOut,
              responses=error_responses(409, 422), tags=["incidents"])
    def open_incident(body: IncidentCreate, who: Annotated[Principal, desk_writes]
                      ) -> dict[str, Any]:
        """A mass incident (burst main, power cut) and the complaints it caused (P-9/P-16)."""
        incident = handler.open(OpenIncident(str(uuid.uuid4()), body.title, body.community,
                                             body.department, _ids(body.complaint_ids)),
                                metadata_for(who))
        return incident_public(incident)

    @app.post("/incidents/{incident_id}/complaints", response_model=IncidentOut,
              responses=error_responses(404, 409, 422), tags=["incidents"])
    def link_complaints(incident_id: uuid.UUID, body: LinkBody,
                        who: Annotated[Principal, desk_writes]) -> dict[str, Any]:
        """Link more complaints to an open incident; linking one again changes nothing."""
        return incident_public(handler.link(str(incident_id), _ids(body.complaint_ids),
                                            metadata_for(who)))

    @app.post("/incidents/{incident_id}/complete", response_model=IncidentOut,
              responses=error_responses(403, 404, 409), tags=["incidents"])
    def complete_incident(incident_id: uuid.UUID, who: Annotated[Principal, completers],
                          body: CompleteIncidentBody | None = None) -> dict[str, Any]:
        """Completes every linked order being worked, each judged on its own due time."""
        visible(incident_id, who)
        outcome = handler.complete(str(incident_id), body.note if body else None,
                                   metadata_for(who))
        return incident_public(outcome.incident)

    @app.get("/incidents/{incident_id}", response_model=IncidentOut,
             responses=error_responses(403, 404), tags=["incidents"])
    def get_incident(incident_id: uuid.UUID, who: Annotated[Principal, readers]
                     ) -> dict[str, Any]:
        """The incident, its linked complaints, and what its completion did."""
        return incident_public(visible(incident_id, who))
