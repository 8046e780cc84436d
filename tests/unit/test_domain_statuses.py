"""contract.md, "Statuses": one status for a complaint through its whole life."""

from __future__ import annotations

from datetime import datetime

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.state import ON_THE_BOARD, TERMINAL, Complaint, evolve, fold
from shared.events import Event
from shared.vocabulary import STATUSES
from tests.unit.given import DEFAULT, at, register, when

Q = c.QuoteItem


def live(*steps: tuple[c.Command, datetime]) -> tuple[list[Event], list[str]]:
    """Decide each step on the state the previous ones left; the status after each step."""
    history: list[Event] = []
    statuses: list[str] = []
    for command, now in steps:
        history += when(command, fold(history), DEFAULT, now)
        statuses.append(fold(history).status)
    return history, statuses


def test_free_work_goes_registered_dispatched_accepted_assigned_completed_closed() -> None:
    _, statuses = live(
        (register(category="cleaning.common_area"), at(0)),
        (c.RouteComplaint(), at(1)),
        (c.AcceptOrder(), at(5)),
        (c.AssignTeam(team="保洁一班"), at(6)),
        (c.CompleteOrder(), at(60)),
        (c.SignOff(quality=5, attitude=5, signed_by="张三"), at(90)),
    )
    assert statuses == ["registered", "dispatched", "accepted", "assigned", "completed", "closed"]


def test_a_repair_decided_free_waits_for_the_decision_then_runs_its_course() -> None:
    _, statuses = live(
        (register(description="厨房水龙头漏水"), at(0)),
        (c.RouteComplaint(), at(1)),
        (c.DecidePaid(paid=False), at(10)),
        (c.AcceptOrder(), at(20)),
        (c.AssignTeam(team="水电班"), at(21)),
        (c.CompleteOrder(), at(120)),
        (c.SignOff(quality=4, attitude=5, signed_by="张三"), at(130)),
    )
    assert statuses == ["registered", "awaiting_decision", "dispatched", "accepted", "assigned",
                        "completed", "closed"]


def test_a_repair_decided_paid_waits_for_the_decision_and_the_quote() -> None:
    history, statuses = live(
        (register(description="厨房水龙头漏水"), at(0)),
        (c.RouteComplaint(), at(1)),
        (c.DecidePaid(paid=True), at(10)),
        (c.IssueQuote(items=(Q("faucet.replace"),)), at(15)),
        (c.AcceptQuote(), at(30)),
        (c.AcceptOrder(), at(40)),
        (c.AssignTeam(team="水电班"), at(41)),
        (c.CompleteOrder(), at(120)),
        (c.SignOff(quality=5, attitude=5, signed_by="张三"), at(130)),
    )
    assert statuses == ["registered", "awaiting_decision", "awaiting_quote", "awaiting_quote",
                        "dispatched", "accepted", "assigned", "completed", "closed"]
    state = fold(history)
    assert (state.quote_accepted_total, state.due_at) == ("30.00", at(30, hours=24))


def test_paid_work_whose_quote_is_declined_ends_declined() -> None:
    _, statuses = live(
        (register(category="landscaping.in_unit"), at(0)),
        (c.RouteComplaint(), at(1)),
        (c.IssueQuote(items=(Q("plant.care", 2),)), at(5)),
        (c.DeclineQuote(reason="太贵"), at(30)),
    )
    assert statuses == ["registered", "awaiting_quote", "awaiting_quote", "declined"]


def test_a_complaint_withdrawn_once_dispatched_ends_withdrawn() -> None:
    _, statuses = live(
        (register(category="intruder.sales"), at(0)),
        (c.RouteComplaint(), at(1)),
        (c.Withdraw(reason="人已经走了"), at(10)),
    )
    assert statuses == ["registered", "dispatched", "withdrawn"]


# ------------------------------------------------------------------ the status each event sets


def status_set_by(event: Event) -> str | None:
    """The status evolve gives a complaint for this event, or None when it keeps its own."""
    status = evolve(Complaint(), event).status
    return None if status == "new" else status


ORDER = {"department": "engineering"}

STATUS_SET_BY: list[tuple[Event, str | None]] = [
    (ev.ComplaintRegistered(complaint_id="x", channel="kiosk", community="荔园一期", unit="1-101",
                            customer_name="李四", phone="13800138000", description="d",
                            registered_at=at(0)), "registered"),
    (ev.ComplaintRouted(category="repair.in_unit", department="engineering", paid_mode="ask",
                        routed_by="given"), "awaiting_decision"),
    (ev.ComplaintRouted(category="cleaning.in_unit", department="customer_service",
                        paid_mode="paid", routed_by="given"), "awaiting_quote"),
    (ev.ComplaintRouted(category="other", department="customer_service", paid_mode="free",
                        routed_by="fallback"), None),
    (ev.PaidDecided(paid=True), "awaiting_quote"),
    (ev.PaidDecided(paid=False), None),
    (ev.QuoteIssued(lines=(), total="0.00"), None),
    (ev.QuoteAccepted(total="30.00"), None),
    (ev.QuoteDeclined(), "declined"),
    (ev.WorkOrderDispatched(department="engineering", category="repair.common_area",
                            dispatched_at=at(0), due_at=at(hours=24), due_basis="commitment",
                            commitment_minutes="1440"), "dispatched"),
    (ev.ComplaintEscalated(reason="P-12"), None),
    (ev.WorkOrderAccepted(**ORDER), "accepted"),
    (ev.TeamAssigned(team="水电班", **ORDER), "assigned"),
    (ev.WorkOrderCompleted(completed_at=at(60), **ORDER), "completed"),
    (ev.MailLogChecked(checked="记录", finding="无", department="security"), None),
    (ev.WorkOrderSignedOff(quality=5, attitude=5, signed_by="张三", signed_off_at=at(90),
                           **ORDER), "closed"),
    (ev.FollowUpRecorded(note="催办"), None),
    (ev.ComplaintWithdrawn(reason="不需要了"), "withdrawn"),
    # --- P-9 B warnings and chases, auto-close
    (ev.WorkOrderWarned(due_at=at(hours=24), warn_at_share=0.8, warned_at=at(hours=20),
                        **ORDER), None),
    (ev.WorkOrderChased(number=1, due_at=at(hours=24), scheduled_at=at(hours=24),
                        chased_at=at(hours=24), **ORDER), None),
    (ev.WorkOrderAutoClosed(completed_at=at(60), after_days=7, closed_at=at(days=7, minutes=60),
                            **ORDER), "closed"),
]


@pytest.mark.parametrize(
    ("event", "status"),
    STATUS_SET_BY,
    ids=[f"{type(e).__name__}-{s}" for e, s in STATUS_SET_BY],
)
def test_each_event_sets_the_status_the_contract_names_or_leaves_it(
    event: Event, status: str | None
) -> None:
    assert status_set_by(event) == status


def test_every_status_an_event_sets_is_one_of_the_contract() -> None:
    contract = {"registered", "awaiting_decision", "awaiting_quote", "dispatched", "accepted",
                "assigned", "completed", "closed", "declined", "withdrawn"}
    assert {s for _, s in STATUS_SET_BY if s} == contract
    assert set(STATUSES) == contract  # the one list the HTTP models and the board use
    assert contract >= TERMINAL | ON_THE_BOARD
    assert {"closed", "declined", "withdrawn"} == TERMINAL
    assert {"dispatched", "accepted", "assigned", "completed"} == ON_THE_BOARD


def test_every_event_counts_in_the_version_even_one_that_changes_nothing() -> None:
    state = Complaint()
    for event, _ in STATUS_SET_BY:
        state = evolve(state, event)
    assert state.version == len(STATUS_SET_BY)
