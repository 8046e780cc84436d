"""P-8, P-10: paid work is priced from the fee schedule and dispatched only once accepted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from shared.domain import commands as c
from shared.domain import events as ev
from shared.domain.errors import InvalidCommand, RuleViolation
from tests.unit.given import (
    SHANGHAI,
    T0,
    at,
    awaiting_decision,
    awaiting_quote,
    declined,
    dispatched,
    given,
    policy_changed,
    quoted,
    registered,
    registered_and_dispatched,
    routed,
    when,
)

Q = c.QuoteItem


def test_in_unit_cleaning_is_paid_work_that_waits_for_a_quote_P10() -> None:
    # given
    history = [registered(category="cleaning.in_unit")]
    # when
    events = when(c.RouteComplaint(), given(*history))
    # then
    assert events == [
        ev.ComplaintRouted(category="cleaning.in_unit", department="customer_service",
                           paid_mode="paid", routed_by="given")
    ]
    state = given(*history, *events)
    assert (state.status, state.paid, state.due_at) == ("awaiting_quote", True, None)


def test_a_quote_prices_each_line_from_the_fee_schedule_P8() -> None:
    # given
    state = given(*awaiting_quote("cleaning.in_unit"))
    # when
    events = when(
        c.IssueQuote(items=(Q("deep_clean.per_hour", 3), Q("window_clean.per_hour", 1))), state
    )
    # then
    assert events == [
        ev.QuoteIssued(
            lines=(
                ev.QuoteLine(fee="deep_clean.per_hour", name_zh="室内清洁（每小时）",
                             name_en="In-unit cleaning (per hour)", unit_price="45.00",
                             quantity=3, amount="135.00"),
                ev.QuoteLine(fee="window_clean.per_hour", name_zh="擦窗（每小时）",
                             name_en="Window cleaning (per hour)", unit_price="50.00",
                             quantity=1, amount="50.00"),
            ),
            total="185.00",
        )
    ]


def test_a_repair_decided_paid_is_quoted_from_engineerings_fee_schedule_P7_P8() -> None:
    # given
    history = [*awaiting_decision(), ev.PaidDecided(paid=True)]
    # when
    events = when(c.IssueQuote(items=(Q("faucet.replace", 2),)), given(*history))
    # then
    assert events == [
        ev.QuoteIssued(
            lines=(ev.QuoteLine(fee="faucet.replace", name_zh="更换水龙头",
                                name_en="Replace a faucet", unit_price="30.00", quantity=2,
                                amount="60.00"),),
            total="60.00",
        )
    ]


def test_amounts_in_fen_are_exact() -> None:
    # given
    def change(data: dict[str, Any]) -> None:
        data["fees"]["washer"] = {"name_zh": "垫圈", "name_en": "Washer", "price": "1.05"}

    policy = policy_changed(change)
    # when
    events = when(c.IssueQuote(items=(Q("washer", 3), Q("faucet.replace", 1))),
                  given(*awaiting_quote()), policy=policy)
    # then
    quote = events[0]
    assert isinstance(quote, ev.QuoteIssued)
    assert [line.amount for line in quote.lines] == ["3.15", "30.00"]
    assert quote.total == "33.15"


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ((Q("gold.taps", 1),), "items.0.fee"),
        ((Q("faucet.replace", 1), Q("gold.taps", 1)), "items.1.fee"),
        ((Q("faucet.replace", 0),), "items.0.quantity"),
        ((Q("faucet.replace", -2),), "items.0.quantity"),
        ((), "items"),
    ],
    ids=["unknown fee", "second line unknown fee", "no quantity", "negative quantity",
         "no lines"],
)
def test_a_quote_that_cannot_be_priced_is_refused_naming_the_line(
    items: tuple[c.QuoteItem, ...], field: str
) -> None:
    with pytest.raises(InvalidCommand) as refused:
        when(c.IssueQuote(items=items), given(*awaiting_quote()))
    assert refused.value.field == field


def test_quoting_again_replaces_the_quote_and_the_customer_accepts_the_last_one() -> None:
    # given
    history = quoted(total="90.00")
    history += when(c.IssueQuote(items=(Q("deep_clean.per_hour", 1),)), given(*history))
    # when
    events = when(c.AcceptQuote(), given(*history), now=at(hours=1))
    # then
    assert events[0] == ev.QuoteAccepted(total="45.00")


def test_accepting_the_quote_dispatches_the_order_with_its_price_P8() -> None:
    # given
    state = given(*quoted(total="90.00"))
    # when
    events = when(c.AcceptQuote(), state, now=at(hours=1))
    # then
    assert events == [
        ev.QuoteAccepted(total="90.00"),
        ev.WorkOrderDispatched(
            department="customer_service",
            category="cleaning.in_unit",
            dispatched_at=at(hours=1),
            due_at=at(hours=49),
            due_basis="commitment",
            commitment_minutes="2880",
            price_total="90.00",
        ),
    ]


def test_accepted_paid_work_with_a_booked_time_is_due_at_the_end_of_the_booking() -> None:
    # given
    end = datetime(2026, 12, 1, 17, 0, tzinfo=SHANGHAI)
    history = [
        registered(category="cleaning.in_unit", appointment_start=at(days=2),
                   appointment_end=end),
        routed("cleaning.in_unit"),
        *quoted()[2:],
    ]
    # when
    events = when(c.AcceptQuote(), given(*history), now=at(hours=1))
    # then
    order = events[1]
    assert isinstance(order, ev.WorkOrderDispatched)
    assert (order.due_at, order.due_basis, order.price_total) == (end, "appointment", "90.00")


def test_declining_the_quote_ends_the_complaint_as_declined() -> None:
    # given
    history = quoted()
    # when
    events = when(c.DeclineQuote(reason="太贵"), given(*history))
    # then
    assert events == [ev.QuoteDeclined(reason="太贵")]
    state = given(*history, *events)
    assert (state.status, state.dispatched_at, state.due_at) == ("declined", None, None)


# ------------------------------------------------------------- refused steps


@pytest.mark.parametrize(
    "history",
    [
        registered_and_dispatched(),
        awaiting_decision(),
        [registered(category="cleaning.in_unit")],
        declined(),
        [*quoted(), ev.QuoteAccepted(total="90.00"),
         dispatched("cleaning.in_unit", price_total="90.00")],
    ],
    ids=["free work", "not yet decided", "not yet routed", "declined", "already accepted"],
)
def test_quoting_work_that_is_not_waiting_for_a_quote_is_refused_naming_P8(
    history: list[ev.Event],
) -> None:
    with pytest.raises(RuleViolation, match="P-8") as refused:
        when(c.IssueQuote(items=(Q("faucet.replace", 1),)), given(*history))
    assert refused.value.rule == "P-8"


@pytest.mark.parametrize("answer", [c.AcceptQuote(), c.DeclineQuote()], ids=["accept", "decline"])
@pytest.mark.parametrize(
    "history",
    [awaiting_quote(), registered_and_dispatched(), declined()],
    ids=["before a quote", "free work", "declined"],
)
def test_answering_a_quote_that_was_not_given_is_refused_naming_P8(
    answer: c.Command, history: list[ev.Event]
) -> None:
    with pytest.raises(RuleViolation, match="P-8"):
        when(answer, given(*history))


def test_accepting_a_quote_twice_is_refused() -> None:
    # given
    history = quoted()
    history += when(c.AcceptQuote(), given(*history), now=T0)
    # when / then
    with pytest.raises(RuleViolation, match="P-8"):
        when(c.AcceptQuote(), given(*history), now=at(hours=1))
