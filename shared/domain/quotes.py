"""P-7, P-8, P-10: free or paid, the quote from the fee schedule, the customer's answer.

A paid order is dispatched only after the customer accepts the price; the
price is written into the dispatch event (and later onto the management-fee
bill). A declined quote ends the complaint as ``declined``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from shared.domain import events as ev
from shared.domain.commands import AcceptQuote, DecidePaid, DeclineQuote, IssueQuote
from shared.domain.dispatching import dispatch
from shared.domain.errors import InvalidCommand, RuleViolation
from shared.domain.state import Complaint
from shared.policy import Policy

CENT = Decimal("0.01")


def decide_paid(
    command: DecidePaid, state: Complaint, policy: Policy, now: datetime
) -> list[ev.Event]:
    if state.status != "awaiting_decision":
        raise RuleViolation("P-7", f"the free/paid decision is only taken while awaiting it "
                            f"(status is {state.status})")
    decided = ev.PaidDecided(paid=command.paid)
    if command.paid:
        return [decided]
    assert state.category is not None
    return [decided, dispatch(state, state.category, policy, now)]


def issue_quote(
    command: IssueQuote, state: Complaint, policy: Policy, _now: datetime
) -> list[ev.Event]:
    if state.status != "awaiting_quote":
        raise RuleViolation("P-8", f"only paid work awaiting a quote can be quoted "
                            f"(status is {state.status})")
    if not command.items:
        raise InvalidCommand("items", "P-8: a quote needs at least one fee line")
    lines: list[ev.QuoteLine] = []
    for index, item in enumerate(command.items):
        if item.fee not in policy.fees:
            raise InvalidCommand(f"items.{index}.fee", f"not in the fee schedule: {item.fee!r}")
        if item.quantity < 1:
            raise InvalidCommand(f"items.{index}.quantity", "must be at least 1")
        fee = policy.fee(item.fee)
        amount = (fee.price * item.quantity).quantize(CENT)
        lines.append(ev.QuoteLine(fee=fee.id, name_zh=fee.name_zh, name_en=fee.name_en,
                                  unit_price=str(fee.price.quantize(CENT)),
                                  quantity=item.quantity, amount=str(amount)))
    total = sum((Decimal(line.amount) for line in lines), Decimal("0")).quantize(CENT)
    return [ev.QuoteIssued(lines=tuple(lines), total=str(total))]


def accept_quote(
    _command: AcceptQuote, state: Complaint, policy: Policy, now: datetime
) -> list[ev.Event]:
    if state.status != "awaiting_quote" or state.quote is None:
        raise RuleViolation("P-8", "the customer can only accept a quote that was given")
    assert state.category is not None
    total = state.quote.total
    return [ev.QuoteAccepted(total=total),
            dispatch(state, state.category, policy, now, price_total=total)]


def decline_quote(
    command: DeclineQuote, state: Complaint, _policy: Policy, _now: datetime
) -> list[ev.Event]:
    if state.status != "awaiting_quote" or state.quote is None:
        raise RuleViolation("P-8", "the customer can only decline a quote that was given")
    return [ev.QuoteDeclined(reason=command.reason)]
