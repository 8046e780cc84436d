"""Reporting's HTTP edge (port 8083): the monthly timely-handling rate (P-16, P-17)."""

from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query

from shared.auth import Authenticator, Principal
from shared.edges import Health, add_health, install_domain_errors
from shared.http import Invalid, QueryText, create_app
from shared.projections.monthly import monthly_report, parse_month
from shared.projections.worker import ProjectionKeeper
from shared.service import ServiceContext


def create_reporting_app(context: ServiceContext, monthly: ProjectionKeeper) -> FastAPI:
    app = create_app("reporting", "Monthly complaint statistics: the timely rate (P-16, P-17).")
    install_domain_errors(app)
    add_health(app, Health(context))
    auth = Authenticator(context.settings.complaints_tokens)
    readers = Depends(auth.require("manager", "leadership", "desk"))

    @app.get("/reports/monthly", tags=["reports"])
    def monthly_statistics(
        who: Annotated[Principal, readers],
        month: Annotated[str, Query(description="YYYY-MM in the policy's time zone")],
        community: QueryText | None = None,
    ) -> dict[str, Any]:
        """Timely, late and pending judged now; provisional while anything is pending."""
        try:
            parse_month(month)
        except ValueError as exc:
            raise Invalid({"month": "expected YYYY-MM, e.g. 2026-10"}, str(exc)) from None
        monthly.catch_up()
        with context.store.engine.connect() as conn:
            return monthly_report(conn, context.policy, month, context.clock.now(), community)

    return app
