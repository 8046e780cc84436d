"""Free or paid, quotes and withdrawal over HTTP (contract.md, "The rest of the procedure")."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.api_support import T0, Api, aware, error_of, open_api


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def _do(api: Api, complaint_id: str, path: str, body: Any = None, role: str = "desk"
        ) -> httpx.Response:
    return api.post(api.dispatcher, f"/complaints/{complaint_id}/{path}", role, body)


def _in_unit_repair(api: Api, **changes: Any) -> str:
    complaint_id = api.new_order("repair.in_unit", **changes)
    assert api.complaint(complaint_id)["status"] == "awaiting_decision"
    return complaint_id


def _awaiting_quote(api: Api) -> str:
    complaint_id = _in_unit_repair(api)
    assert _do(api, complaint_id, "paid", {"paid": True}).status_code == 200
    return complaint_id


def _on_board(api: Api, complaint_id: str) -> bool:
    return complaint_id in {o["complaint_id"] for o in api.orders(status="all")}


# ------------------------------------------------------------------ free or paid (P-7)


def test_an_in_unit_repair_waits_for_the_free_or_paid_decision_off_the_board(api: Api) -> None:
    complaint_id = _in_unit_repair(api)
    shown = api.complaint(complaint_id)
    assert (shown["department"], shown["due_at"]) == ("engineering", None)
    assert not _on_board(api, complaint_id)
    assert api.orders("department:engineering", status="all") == []


def test_deciding_free_dispatches_with_due_24_hours_after_the_decision(api: Api) -> None:
    complaint_id = _in_unit_repair(api)
    decided_at = api.advance(hours=3)
    response = _do(api, complaint_id, "paid", {"paid": False})
    assert response.status_code == 200
    assert response.json()["status"] == "dispatched"
    [order] = api.orders("department:engineering")
    assert order["complaint_id"] == complaint_id
    assert aware(order["dispatched_at"]) == decided_at
    assert aware(order["due_at"]) == decided_at + timedelta(hours=24)
    assert aware(api.complaint(complaint_id)["due_at"]) == T0 + timedelta(hours=27)


def test_deciding_free_keeps_the_booked_time_as_the_due_time(api: Api) -> None:
    appointment = {"start": "2026-10-06T09:00:00+08:00", "end": "2026-10-06T12:00:00+08:00"}
    complaint_id = _in_unit_repair(api, appointment=appointment)
    _do(api, complaint_id, "paid", {"paid": False})
    assert aware(api.complaint(complaint_id)["due_at"]) == aware(appointment["end"])


def test_deciding_paid_waits_for_a_quote_off_the_board(api: Api) -> None:
    complaint_id = _in_unit_repair(api)
    response = _do(api, complaint_id, "paid", {"paid": True})
    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_quote"
    assert api.complaint(complaint_id)["status"] == "awaiting_quote"
    assert not _on_board(api, complaint_id)


def test_deciding_twice_is_409_naming_p7(api: Api) -> None:
    complaint_id = _in_unit_repair(api)
    _do(api, complaint_id, "paid", {"paid": False})
    response = _do(api, complaint_id, "paid", {"paid": True})
    assert response.status_code == 409
    assert error_of(response)["message"].startswith("P-7")


def test_a_free_category_takes_no_paid_decision(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    assert _do(api, complaint_id, "paid", {"paid": True}).status_code == 409


@pytest.mark.parametrize("role", ["department:engineering", "kiosk", "manager", "leadership"])
def test_only_the_desk_decides_free_or_paid(api: Api, role: str) -> None:
    complaint_id = _in_unit_repair(api)
    assert _do(api, complaint_id, "paid", {"paid": False}, role).status_code == 403
    assert api.complaint(complaint_id)["status"] == "awaiting_decision"


@pytest.mark.parametrize("body", [{}, {"paid": None}, {"paid": False, "why": "x"}, []])
def test_a_malformed_paid_decision_is_422(api: Api, body: Any) -> None:
    complaint_id = _in_unit_repair(api)
    response = _do(api, complaint_id, "paid", body)
    assert response.status_code == 422
    assert error_of(response)["fields"]


def test_a_paid_decision_on_an_unknown_complaint_is_404(api: Api) -> None:
    assert _do(api, str(uuid.uuid4()), "paid", {"paid": False}).status_code == 404


# ------------------------------------------------------------------ quotes (P-8, P-10)


def test_a_quote_prices_each_line_from_the_fee_schedule_with_a_decimal_total(api: Api) -> None:
    complaint_id = _awaiting_quote(api)
    items = [{"fee": "faucet.replace", "quantity": 2}, {"fee": "pipe.leak_fix"}]
    response = _do(api, complaint_id, "quote", {"items": items})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "awaiting_quote"
    quote = body["quote"]
    assert quote["total"] == "120.00"
    assert isinstance(quote["total"], str)
    assert Decimal(quote["total"]) == sum(Decimal(line["amount"]) for line in quote["lines"])
    assert [(line["fee"], line["quantity"], line["amount"]) for line in quote["lines"]] == [
        ("faucet.replace", 2, "60.00"), ("pipe.leak_fix", 1, "60.00")]


def test_quoting_again_replaces_the_quote(api: Api) -> None:
    complaint_id = _awaiting_quote(api)
    _do(api, complaint_id, "quote", {"items": [{"fee": "faucet.replace"}]})
    response = _do(api, complaint_id, "quote", {"items": [{"fee": "lock.replace"}]})
    assert response.json()["quote"]["total"] == "80.00"


def test_an_unknown_fee_is_422_naming_the_item(api: Api) -> None:
    complaint_id = _awaiting_quote(api)
    response = _do(api, complaint_id, "quote", {"items": [{"fee": "gold.taps"}]})
    assert response.status_code == 422
    assert "items.0.fee" in error_of(response)["fields"]
    response = _do(api, complaint_id, "quote",
                   {"items": [{"fee": "faucet.replace"}, {"fee": "gold.taps"}]})
    assert "items.1.fee" in error_of(response)["fields"]


@pytest.mark.parametrize("body, field", [
    ({"items": []}, "items"),
    ({"items": [{"fee": "faucet.replace", "quantity": 0}]}, "items.0.quantity"),
    ({"items": [{"fee": "faucet.replace", "quantity": 10**30}]}, "items.0.quantity"),
    ({"items": [{"fee": "faucet.replace", "price": "0.01"}]}, "items.0.price"),
])
def test_a_malformed_quote_is_422_naming_the_field(api: Api, body: Any, field: str) -> None:
    complaint_id = _awaiting_quote(api)
    response = _do(api, complaint_id, "quote", body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_a_quote_before_the_work_is_settled_as_paid_is_409_naming_p8(api: Api) -> None:
    complaint_id = _in_unit_repair(api)
    response = _do(api, complaint_id, "quote", {"items": [{"fee": "faucet.replace"}]})
    assert response.status_code == 409
    assert error_of(response)["message"].startswith("P-8")


def test_accepting_the_quote_dispatches_the_order(api: Api) -> None:
    complaint_id = _awaiting_quote(api)
    _do(api, complaint_id, "quote", {"items": [{"fee": "faucet.replace"}]})
    accepted_at = api.advance(hours=1)
    response = _do(api, complaint_id, "quote/accept")
    assert response.status_code == 200
    assert response.json()["status"] == "dispatched"
    [order] = api.orders("department:engineering")
    assert order["complaint_id"] == complaint_id
    assert aware(order["due_at"]) == accepted_at + timedelta(hours=24)


def test_accepting_before_any_quote_is_409_naming_p8(api: Api) -> None:
    complaint_id = _awaiting_quote(api)
    response = _do(api, complaint_id, "quote/accept")
    assert response.status_code == 409
    assert error_of(response)["message"].startswith("P-8")


def test_declining_the_quote_ends_the_complaint_as_declined(api: Api) -> None:
    complaint_id = _awaiting_quote(api)
    _do(api, complaint_id, "quote", {"items": [{"fee": "faucet.replace"}]})
    response = _do(api, complaint_id, "quote/decline", {"reason": "太贵了"})
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert api.complaint(complaint_id)["status"] == "declined"
    assert not _on_board(api, complaint_id)
    assert _do(api, complaint_id, "quote/accept").status_code == 409


def test_declining_needs_no_body(api: Api) -> None:
    complaint_id = _awaiting_quote(api)
    _do(api, complaint_id, "quote", {"items": [{"fee": "faucet.replace"}]})
    assert _do(api, complaint_id, "quote/decline").status_code == 200


def test_a_paid_category_goes_straight_to_awaiting_quote(api: Api) -> None:
    complaint_id = api.new_order("cleaning.in_unit")
    assert api.complaint(complaint_id)["status"] == "awaiting_quote"
    response = _do(api, complaint_id, "quote",
                   {"items": [{"fee": "deep_clean.per_hour", "quantity": 3}]})
    assert response.json()["quote"]["total"] == "135.00"


@pytest.mark.parametrize("path, body", [
    ("quote", {"items": [{"fee": "faucet.replace"}]}), ("quote/accept", None),
    ("quote/decline", None),
])
@pytest.mark.parametrize("role", ["department:engineering", "kiosk"])
def test_only_the_desk_quotes_and_answers_quotes(
    api: Api, path: str, body: Any, role: str
) -> None:
    complaint_id = _awaiting_quote(api)
    if path != "quote":
        _do(api, complaint_id, "quote", {"items": [{"fee": "faucet.replace"}]})
    assert _do(api, complaint_id, path, body, role).status_code == 403


# ------------------------------------------------------------------ withdrawal


def _withdraw(api: Api, complaint_id: str, role: str = "desk") -> httpx.Response:
    return api.post(api.intake, f"/complaints/{complaint_id}/withdraw", role,
                    {"reason": "业主自己修好了"})


@pytest.mark.parametrize("stage", ["registered", "awaiting_decision", "awaiting_quote",
                                   "dispatched"])
def test_a_complaint_is_withdrawn_until_its_department_accepts(api: Api, stage: str) -> None:
    if stage == "registered":
        complaint_id = api.register(category="repair.common_area")
    elif stage == "awaiting_decision":
        complaint_id = _in_unit_repair(api)
    elif stage == "awaiting_quote":
        complaint_id = _awaiting_quote(api)
    else:
        complaint_id = api.new_order("repair.common_area")
    response = _withdraw(api, complaint_id)
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert api.complaint(complaint_id)["status"] == "withdrawn"
    assert api.orders() == []


def test_withdrawing_after_the_department_accepted_is_409(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering", through="accept")
    response = _withdraw(api, complaint_id)
    assert response.status_code == 409
    assert "accept" in error_of(response)["message"]
    assert api.complaint(complaint_id)["status"] == "accepted"


@pytest.mark.parametrize("role", ["department:engineering", "kiosk", "manager"])
def test_only_the_desk_withdraws(api: Api, role: str) -> None:
    complaint_id = api.new_order("repair.common_area")
    assert _withdraw(api, complaint_id, role).status_code == 403


def test_withdrawing_needs_a_reason(api: Api) -> None:
    complaint_id = api.new_order("repair.common_area")
    response = api.post(api.intake, f"/complaints/{complaint_id}/withdraw", "desk", {})
    assert response.status_code == 422
    assert "reason" in error_of(response)["fields"]


def test_withdrawing_an_unknown_complaint_is_404(api: Api) -> None:
    assert _withdraw(api, str(uuid.uuid4())).status_code == 404
