"""P-8: which complaints the management-fee bill charges, from the folded state alone."""

from __future__ import annotations

from shared.domain import events as ev
from shared.domain.state import fold
from shared.projections.fees import fee_line
from tests.unit.given import CID, DEFAULT, at, closed, declined, dispatched, quoted


def paid_and_dispatched() -> list[ev.Event]:
    return [*quoted(), ev.QuoteAccepted(total="90.00"),
            dispatched("cleaning.in_unit", price_total="90.00")]


def worked(history: list[ev.Event]) -> list[ev.Event]:
    return [*history, ev.WorkOrderAccepted(department="customer_service"),
            ev.TeamAssigned(department="customer_service", team="保洁班"),
            ev.WorkOrderCompleted(department="customer_service", completed_at=at(hours=5))]


def test_paid_work_completed_after_its_quote_was_accepted_is_charged() -> None:
    line = fee_line(CID, fold(worked(paid_and_dispatched())))
    assert line is not None
    fee = DEFAULT.fee("deep_clean.per_hour")
    assert line == {"complaint_id": CID, "community": "荔园一期", "unit": "3-1502",
                    "completed_at": at(hours=5), "amount": "90.00",
                    "items": [{"fee": fee.id, "name_zh": fee.name_zh, "name_en": fee.name_en,
                               "unit_price": "45.00", "quantity": 2, "amount": "90.00"}]}


def test_signed_off_paid_work_stays_on_the_bill() -> None:
    history = [*worked(paid_and_dispatched()),
               ev.WorkOrderSignedOff(department="customer_service", quality=5, attitude=5,
                                     signed_by="张三", signed_off_at=at(hours=6))]
    assert fee_line(CID, fold(history)) is not None


def test_accepted_but_not_yet_completed_work_is_not_charged_yet() -> None:
    assert fee_line(CID, fold(paid_and_dispatched())) is None


def test_a_free_order_a_declined_quote_and_an_unanswered_one_are_never_charged() -> None:
    assert fee_line(CID, fold(closed())) is None
    assert fee_line(CID, fold(declined())) is None
    assert fee_line(CID, fold(quoted())) is None
