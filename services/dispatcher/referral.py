"""The dispatcher's referral routes (P-13): an outside body holds the complaint.

``POST /complaints/{id}/referral``, ``…/referral/notes`` (liaison notes, an
extension of the contract) and ``…/referral/resolve``, all for the desk. The
commitment clock stops between referral and resolve; on resolve ``due_at``
moves out by the time stopped (shared/domain/referral.py).
"""

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from shared.app.bootstrap import ServiceContext
from shared.domain import commands as c
from shared.domain.state import Complaint
from shared.http import LongText, RequestModel, ShortText
from shared.http import responses as error_responses
from shared.http.auth import Principal
from shared.http.complaint_access import act


class ReferralBody(RequestModel):
    organisation: ShortText = Field(description="the other organisation (其他单位)")
    contact: ShortText = Field(description="who there, and how to reach them")
    explanation: LongText = Field(description="what the complainant was told")


class ReferralNoteBody(RequestModel):
    note: LongText


class ReferralResolveBody(RequestModel):
    outcome: LongText = Field(description="the outcome, as reported back to the complainant")


class OpenReferral(BaseModel):
    organisation: str
    contact: str
    explanation: str
    referred_at: datetime
    notes: list[str]


class ReferralState(BaseModel):
    complaint_id: str
    status: str
    department: str | None
    due_at: datetime | None = Field(description="moved out by the time stopped, on resolve")
    clock_stopped_since: datetime | None = Field(
        description="while referred: since when the commitment clock stands still")
    referral: OpenReferral | None = Field(description="the open referral, if any")


def referral_public(state: Complaint) -> ReferralState:
    referral = None
    if state.referral is not None:
        referral = OpenReferral(organisation=state.referral.organisation,
                                contact=state.referral.contact,
                                explanation=state.referral.explanation,
                                referred_at=state.referral.referred_at,
                                notes=list(state.referral_notes))
    return ReferralState(complaint_id=state.complaint_id, status=state.status,
                         department=state.department, due_at=state.due_at,
                         clock_stopped_since=state.clock_stopped_since, referral=referral)


def add_referral_routes(app: FastAPI, context: ServiceContext, desk_writes: Any) -> None:
    """Add the P-13 routes; ``desk_writes`` is the desk's rate-limited auth dependency."""

    def step(complaint_id: uuid.UUID, command: c.Command, who: Principal) -> ReferralState:
        return referral_public(act(context, str(complaint_id), command, who))

    @app.post("/complaints/{complaint_id}/referral", response_model=ReferralState,
              responses=error_responses(404, 409), tags=["referral"])
    def refer(complaint_id: uuid.UUID, body: ReferralBody,
              who: Annotated[Principal, desk_writes]) -> ReferralState:
        """P-13: another organisation is involved; the commitment clock stops.

        Only a dispatched order not yet completed; one open referral at a time.
        """
        return step(complaint_id, c.ReferComplaint(
            organisation=body.organisation, contact=body.contact,
            explanation=body.explanation), who)

    @app.post("/complaints/{complaint_id}/referral/notes", response_model=ReferralState,
              responses=error_responses(404, 409), tags=["referral"])
    def note(complaint_id: uuid.UUID, body: ReferralNoteBody,
             who: Annotated[Principal, desk_writes]) -> ReferralState:
        """P-13: a liaison note while the other organisation holds the complaint."""
        return step(complaint_id, c.NoteReferral(note=body.note), who)

    @app.post("/complaints/{complaint_id}/referral/resolve", response_model=ReferralState,
              responses=error_responses(404, 409), tags=["referral"])
    def resolve(complaint_id: uuid.UUID, body: ReferralResolveBody,
                who: Annotated[Principal, desk_writes]) -> ReferralState:
        """P-13: the outcome reported back; the clock runs again, ``due_at`` moved out."""
        return step(complaint_id, c.ResolveReferral(outcome=body.outcome), who)
