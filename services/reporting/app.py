"""Reporting's HTTP edge (port 8083): the monthly timely-handling rate and its analysis
(P-16, P-17), the management-fee bill (P-8), corrective actions (P-17, in ``corrective_actions``).
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Query
from pydantic import BaseModel, Field

from services.reporting.corrective_actions import CorrectiveActionOut, add_corrective_actions
from services.reporting.month_close import add_month_close
from shared.app.bootstrap import ServiceContext
from shared.http import Invalid, QueryText, create_app
from shared.http.auth import Authenticator, Principal
from shared.http.complaint_access import install_domain_errors
from shared.http.health import Health, add_health
from shared.projections.fees import FeesProjection, fee_bill
from shared.projections.month_report import report_as_delivered
from shared.projections.monthly import MONTH_PATTERN, parse_as_of, parse_month
from shared.projections.worker import ProjectionKeeper


class Tally(BaseModel):
    total: int = Field(description="timely + late + pending")
    timely: int
    late: int
    pending: int
    withdrawn: int = Field(description="withdrawn before acceptance; outside total")
    declined: int = Field(description="quote declined; outside total")
    timely_rate: float | None = Field(description="timely / total × 100, half-up to 2 places")
    escalated: int = Field(default=0, description="serious complaints reported to leadership "
                           "(P-12)")
    missed_appointments: int = Field(default=0, description="booked times (客户预约时间) "
                                     "missed, counted against the department that missed "
                                     "them (P-9)")


class Satisfaction(BaseModel):
    rated: int
    quality: float | None
    attitude: float | None


class GroupTally(Tally):
    """A department's or category's month, beside the previous month's (P-17)."""

    satisfaction: Satisfaction
    previous_timely_rate: float | None = Field(
        description="the same group's timely rate the month before; null if it had none")
    change_points: float | None = Field(
        description="timely_rate - previous_timely_rate, in percentage points")


class Alert(BaseModel):
    """P-17: an indicator that stands out, per the policy's [alerts] thresholds."""

    kind: Literal["timely_rate_drop", "satisfaction_below_floor"]
    scope: Literal["department", "category"]
    id: str = Field(description="the department's or the category's id")
    month: str
    measure: Literal["timely_rate", "quality", "attitude"]
    value: float | None
    previous: float | None = Field(description="the same measure the month before")
    threshold: float = Field(description="alerts.timely_rate_drop_points (a fall of more "
                             "than this many points) or alerts.satisfaction_floor")
    corrective_actions: list[str] = Field(description="ids of the actions recorded against it")


class MonthlyReport(Tally):
    """投诉处理及时率 = 及时处理件数 / 投诉总件数 × 100% (P-16)."""

    month: str
    timezone: str
    community: str | None
    provisional: bool = Field(description="true while any complaint of the month is pending")
    escalated: int = Field(description="serious complaints reported to leadership (P-12)")
    referred: int = Field(description="complaints referred to an outside body (P-13)")
    by_department: dict[str, GroupTally]
    by_category: dict[str, GroupTally]
    satisfaction: Satisfaction
    previous_month: str | None = Field(description="the month compared with")
    alerts: list[Alert]
    corrective_actions: list[CorrectiveActionOut] = Field(
        description="those recorded against this month's alerts, and those of earlier months "
        "open at some time during it (so an open one is listed every month until closed)")
    as_of: datetime | None = Field(
        description="the moment asked for: the report as it stood then; null for now")
    generated_at: datetime = Field(description="late and pending are judged at this moment")
    # --- P-17 month close
    closed: bool = Field(default=False, description="the manager closed the month: this is "
                         "its report frozen as delivered")
    closed_at: datetime | None = Field(default=None, description="when the month was closed")
    adjustments: list[dict[str, Any]] = Field(
        default_factory=list, description="what changed in the previous (closed) month since "
        "it was delivered: {month, <field>: {before, after}, by_department, satisfaction}, "
        "only the fields that differ")


class FeeItem(BaseModel):
    fee: str
    name_zh: str
    name_en: str
    unit_price: str = Field(description="CNY, a decimal string")
    quantity: int
    amount: str = Field(description="CNY, a decimal string")


class FeeLine(BaseModel):
    community: str
    unit: str
    complaint_id: str
    completed_at: datetime = Field(description="the work's completion: the month it bills in")
    items: list[FeeItem] = Field(description="the accepted quote's lines")
    amount: str = Field(description="the accepted quote's total, CNY, a decimal string")


class FeeBill(BaseModel):
    """管理费收费单 (P-8): paid work charged with the regular management fee."""

    month: str
    timezone: str
    community: str | None
    lines: list[FeeLine]
    total: str = Field(description="the exact sum of the lines' amounts, a decimal string")


MonthQuery = Annotated[str, Query(description="YYYY-MM in the policy's time zone",
                                  json_schema_extra={"pattern": MONTH_PATTERN.pattern})]


def _checked_month(month: str) -> str:
    try:
        parse_month(month)
    except ValueError as exc:
        raise Invalid({"month": "expected YYYY-MM, e.g. 2026-10"}, str(exc)) from None
    return month


def create_reporting_app(context: ServiceContext, monthly: ProjectionKeeper,
                         fees: ProjectionKeeper | None = None) -> FastAPI:
    """``fees``: the fee bill's keeper (one over the same store by default)."""
    app = create_app("reporting", "Monthly complaint statistics: the timely rate and its "
                     "analysis (P-16, P-17), the fee bill (P-8), corrective actions (P-17).",
                     clock=context.clock)
    fees = fees or ProjectionKeeper(context.store, FeesProjection())
    install_domain_errors(app)
    add_health(app, Health(context))
    auth = Authenticator(context.settings.complaints_tokens, clock=context.clock)
    readers = Depends(auth.require("manager", "leadership", "desk"))

    @app.get("/reports/monthly", response_model=MonthlyReport, tags=["reports"])
    def monthly_statistics(
        who: Annotated[Principal, readers],
        month: MonthQuery,
        community: QueryText | None = None,
        as_of: Annotated[str | None, Query(
            max_length=64, description="an ISO time with offset: the report as it stood then "
            "(events after it left out, late and pending judged at it); default now")] = None,
    ) -> dict[str, Any]:
        """The timely rate, judged now or as of a moment; provisional while any is pending.

        With the previous month's rate per department and category, the P-17 alerts
        and the corrective actions taken on them."""
        _checked_month(month)
        try:
            moment = None if as_of is None else parse_as_of(as_of)
        except ValueError as exc:
            raise Invalid({"as_of": "expected an ISO 8601 time with offset, e.g. "
                           "2026-10-31T23:59:59+08:00"}, str(exc)) from None
        # P-17: a closed month as delivered, an open one live with its adjustments.
        return report_as_delivered(context.store, monthly.read, context.policy, month,
                                   community, context.clock.now(), as_of=moment)

    @app.get("/reports/fees", response_model=FeeBill, tags=["reports"])
    def fee_bill_of_month(
        who: Annotated[Principal, Depends(auth.require("manager", "desk"))],
        month: MonthQuery,
        community: QueryText | None = None,
    ) -> dict[str, Any]:
        """P-8: the management-fee bill: one line per paid order whose quote was accepted,
        in the month (local time) its work was completed; amounts as decimal strings."""
        _checked_month(month)
        return fees.read(lambda conn: fee_bill(conn, context.policy, month, community))

    add_corrective_actions(app, context, monthly, auth)
    add_month_close(app, context, monthly, auth, _checked_month, MonthlyReport)  # P-17
    return app
