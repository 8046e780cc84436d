"""Given events / when a command / then events: the helpers of the domain's unit tests.

Pure: no I/O but reading the shipped policy once, time always passed in.
Times are fixed aware datetimes in Asia/Shanghai (the company's zone).

    state = given(*registered_and_dispatched("cleaning.common_area"))
    assert when(AcceptOrder(), state) == [WorkOrderAccepted(department="environment")]
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.decider import decide
from shared.domain.state import Complaint, fold
from shared.events import Event
from shared.policy import Policy, load_policy, policy_from_dict

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")

DEFAULT: Policy = load_policy()

CID = "0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a01"
# Sunday 29 November 2026, 09:00 in Shanghai: the complaint comes in.
T0 = datetime(2026, 11, 29, 9, 0, tzinfo=SHANGHAI)


def at(minutes: float = 0, *, hours: float = 0, days: float = 0) -> datetime:
    """T0 plus so long."""
    return T0 + timedelta(minutes=minutes, hours=hours, days=days)


# --------------------------------------------------------------------- given / when


def given(*events: Event) -> Complaint:
    """The complaint as its history leaves it."""
    return fold(events)


def when(
    command: c.Command, state: Complaint, policy: Policy = DEFAULT, now: datetime = T0
) -> list[Event]:
    """The events the procedure decides for this command, now."""
    return decide(command, state, policy, now)


# ------------------------------------------------------------------- policies


def default_policy_data() -> dict[str, Any]:
    """The shipped policy as tomllib parses it, a fresh copy for a test to change."""
    text = resources.files("shared.policy").joinpath("default_policy.toml").read_text("utf-8")
    return copy.deepcopy(tomllib.loads(text))


def policy_changed(change: Callable[[dict[str, Any]], None]) -> Policy:
    """The shipped policy with one change applied to its parsed TOML."""
    data = default_policy_data()
    change(data)
    return policy_from_dict(data)


def with_commitment(category: str, minutes: int | float | str) -> Policy:
    """The shipped policy, with another service commitment for one category (P-14)."""

    def change(data: dict[str, Any]) -> None:
        data["categories"][category]["commitment_minutes"] = minutes

    return policy_changed(change)


# ------------------------------------------------------------------- commands


def register(**overrides: Any) -> c.RegisterComplaint:
    """A kiosk registration with every fact that makes it actionable (P-5)."""
    fields: dict[str, Any] = {
        "complaint_id": CID,
        "channel": "kiosk",
        "community": "荔园一期",
        "unit": "3-1502",
        "customer_name": "张三",
        "phone": "13800138000",
        "description": "楼道里很脏",
    }
    fields.update(overrides)
    return c.RegisterComplaint(**fields)


# ------------------------------------------------------------------- events


def registered(**overrides: Any) -> ev.ComplaintRegistered:
    """The registration form as written at T0 (override any field)."""
    fields: dict[str, Any] = {
        "complaint_id": CID,
        "channel": "kiosk",
        "community": "荔园一期",
        "unit": "3-1502",
        "customer_name": "张三",
        "phone": "13800138000",
        "description": "楼道里很脏",
        "registered_at": T0,
    }
    fields.update(overrides)
    return ev.ComplaintRegistered(**fields)


def routed(category: str, policy: Policy = DEFAULT) -> ev.ComplaintRouted:
    """The desk's (given) category, routed to its department."""
    cat = policy.category(category)
    return ev.ComplaintRouted(
        category=cat.id, department=cat.department, paid_mode=cat.paid, routed_by="given"
    )


def dispatched(
    category: str,
    when_: datetime = T0,
    *,
    policy: Policy = DEFAULT,
    price_total: str | None = None,
) -> ev.WorkOrderDispatched:
    """The work order, due after the category's commitment (no booked time)."""
    cat = policy.category(category)
    return ev.WorkOrderDispatched(
        department=cat.department,
        category=cat.id,
        dispatched_at=when_,
        due_at=when_ + cat.commitment,
        due_basis="commitment",
        commitment_minutes=str(cat.commitment_minutes),
        price_total=price_total,
        mail_check=cat.mail_check,
    )


# A free category of each department the tests use most.
FREE = "repair.common_area"  # engineering, 24 h


def registered_and_dispatched(category: str = FREE) -> list[Event]:
    return [registered(category=category), routed(category), dispatched(category)]


def accepted(category: str = FREE) -> list[Event]:
    department = DEFAULT.category(category).department
    return [*registered_and_dispatched(category), ev.WorkOrderAccepted(department=department)]


def assigned(category: str = FREE, team: str = "水电班") -> list[Event]:
    department = DEFAULT.category(category).department
    return [*accepted(category), ev.TeamAssigned(department=department, team=team)]


def completed(category: str = FREE, when_: datetime | None = None) -> list[Event]:
    department = DEFAULT.category(category).department
    return [
        *assigned(category),
        ev.WorkOrderCompleted(department=department, note="修好了",
                              completed_at=when_ or at(hours=3)),
    ]


def closed(category: str = FREE) -> list[Event]:
    department = DEFAULT.category(category).department
    history = completed(category)
    if DEFAULT.category(category).mail_check:
        history.append(ev.MailLogChecked(department=department, checked="11月收发记录",
                                         finding="已补投"))
    return [
        *history,
        ev.WorkOrderSignedOff(department=department, quality=5, attitude=5, signed_by="张三",
                              signed_off_at=at(hours=4)),
    ]


def awaiting_decision() -> list[Event]:
    """An in-unit repair (paid = "ask") routed, waiting for the desk's free/paid decision."""
    return [registered(category="repair.in_unit", description="厨房水龙头漏水"),
            routed("repair.in_unit")]


def awaiting_quote(category: str = "cleaning.in_unit") -> list[Event]:
    """Paid work routed, waiting for its quote (P-8, P-10)."""
    return [registered(category=category, description="请安排家庭保洁"), routed(category)]


def quoted(category: str = "cleaning.in_unit", total: str = "90.00") -> list[Event]:
    fee = DEFAULT.fee("deep_clean.per_hour")
    line = ev.QuoteLine(fee=fee.id, name_zh=fee.name_zh, name_en=fee.name_en,
                        unit_price="45.00", quantity=2, amount="90.00")
    return [*awaiting_quote(category), ev.QuoteIssued(lines=(line,), total=total)]


def declined() -> list[Event]:
    return [*quoted(), ev.QuoteDeclined(reason="太贵")]


def withdrawn() -> list[Event]:
    return [registered(), ev.ComplaintWithdrawn(reason="自己修好了")]
