"""Reporting's HTTP edge (port 8083): the monthly timely-handling rate (P-16, P-17)."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, Field

from shared.app.bootstrap import ServiceContext
from shared.http import Invalid, QueryText, create_app
from shared.http.auth import Authenticator, Principal
from shared.http.complaint_access import install_domain_errors
from shared.http.health import Health, add_health
from shared.projections.monthly import MONTH_PATTERN, monthly_report, parse_as_of, parse_month
from shared.projections.worker import ProjectionKeeper


class Tally(BaseModel):
    total: int = Field(description="timely + late + pending")
    timely: int
    late: int
    pending: int
    withdrawn: int = Field(description="withdrawn before acceptance; outside total")
    declined: int = Field(description="quote declined; outside total")
    timely_rate: float | None = Field(description="timely / total × 100, half-up to 2 places")


class Satisfaction(BaseModel):
    rated: int
    quality: float | None
    attitude: float | None


class MonthlyReport(Tally):
    """投诉处理及时率 = 及时处理件数 / 投诉总件数 × 100% (P-16)."""

    month: str
    timezone: str
    community: str | None
    provisional: bool = Field(description="true while any complaint of the month is pending")
    escalated: int = Field(description="serious complaints reported to leadership (P-12)")
    referred: int = Field(description="complaints referred to an outside body (P-13)")
    by_department: dict[str, Tally]
    by_category: dict[str, Tally]
    satisfaction: Satisfaction
    as_of: datetime | None = Field(
        description="the moment asked for: the report as it stood then; null for now")
    generated_at: datetime = Field(description="late and pending are judged at this moment")


def create_reporting_app(context: ServiceContext, monthly: ProjectionKeeper) -> FastAPI:
    app = create_app("reporting", "Monthly complaint statistics: the timely rate (P-16, P-17).",
                     clock=context.clock)
    install_domain_errors(app)
    add_health(app, Health(context))
    auth = Authenticator(context.settings.complaints_tokens, clock=context.clock)
    readers = Depends(auth.require("manager", "leadership", "desk"))

    @app.get("/reports/monthly", response_model=MonthlyReport, tags=["reports"])
    def monthly_statistics(
        who: Annotated[Principal, readers],
        month: Annotated[str, Query(description="YYYY-MM in the policy's time zone",
                                    json_schema_extra={"pattern": MONTH_PATTERN.pattern})],
        community: QueryText | None = None,
        as_of: Annotated[str | None, Query(
            max_length=64, description="an ISO time with offset: the report as it stood then "
            "(events after it left out, late and pending judged at it); default now")] = None,
    ) -> dict[str, Any]:
        """The timely rate, judged now or as of a moment; provisional while any is pending."""
        try:
            parse_month(month)
        except ValueError as exc:
            raise Invalid({"month": "expected YYYY-MM, e.g. 2026-10"}, str(exc)) from None
        try:
            moment = None if as_of is None else parse_as_of(as_of)
        except ValueError as exc:
            raise Invalid({"as_of": "expected an ISO 8601 time with offset, e.g. "
                           "2026-10-31T23:59:59+08:00"}, str(exc)) from None
        now = context.clock.now()
        return monthly.read(lambda conn: monthly_report(conn, context.policy, month, now,
                                                        community, as_of=moment))

    return app
