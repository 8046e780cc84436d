"""Reporting's month close (P-17): the report frozen as delivered, later changes as adjustments.

- ``POST /reports/monthly/{month}/close`` (manager; optional ``community``): records
  ``month.closed`` in ``month-<YYYY-MM>[-community]`` with the report as computed now;
  201 with that report. 409 (P-17) if already closed or the month is not over.
- ``GET /reports/monthly`` (in ``app``) answers a month closed by then with its frozen
  report, ``"closed": true`` and ``closed_at``; an open month's report lists, under
  ``adjustments``, what changed in the previous month since it was closed.
"""

from typing import Annotated, Any

from fastapi import Depends, FastAPI

from shared.app.bootstrap import ServiceContext
from shared.domain import events as ev
from shared.domain.month_close import close_month
from shared.events import new_envelope, to_event
from shared.eventstore.records import ConcurrencyError
from shared.http import Conflict, QueryText, RateLimiter
from shared.http import responses as error_responses
from shared.http.auth import Authenticator, Principal
from shared.http.complaint_access import metadata_for
from shared.projections.month_report import frozen, live_report
from shared.projections.monthly import month_bounds
from shared.projections.worker import ProjectionKeeper


def add_month_close(app: FastAPI, context: ServiceContext, monthly: ProjectionKeeper,
                    auth: Authenticator, checked_month: Any, report_model: Any) -> None:
    limiter = RateLimiter(**context.policy.limits.model_dump(), clock=context.clock)
    managers = Depends(limiter.limited(auth.require("manager")))

    @app.post("/reports/monthly/{month}/close", status_code=201, response_model=report_model,
              responses=error_responses(409, 422), tags=["reports"])
    def close(month: str, who: Annotated[Principal, managers],
              community: QueryText | None = None) -> dict[str, Any]:
        """P-17: freeze the month's report as delivered now; later changes to the month
        show as adjustments in the next month's report."""
        checked_month(month)
        stream_id = ev.month_stream_id_of(month, community)
        history = context.store.read_stream(stream_id)
        now = context.clock.now()
        report = live_report(context.store, monthly.read, context.policy, month, community,
                             now)
        delivered = report_model.model_validate(report).model_dump(mode="json")
        decided = close_month(month, community, [to_event(e) for e in history],
                              month_bounds(month, context.policy)[1], delivered, now)
        envelopes = [new_envelope(stream_id, len(history) + i, event, now, metadata_for(who))
                     for i, event in enumerate(decided, start=1)]
        try:
            context.store.append(stream_id, envelopes, len(history))
        except ConcurrencyError:
            raise Conflict("P-17", f"month {month} was closed meanwhile") from None
        [closed] = decided
        assert isinstance(closed, ev.MonthClosed)
        return frozen(closed)
