"""reporting over HTTP: GET /reports/fees, the management-fee bill (P-8; contract.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from shared.projections.fees import FeesProjection
from shared.projections.runner import catch_up, rebuild
from tests.integration.api_support import SHANGHAI, Api, error_of, open_api, policy_with
from tests.integration.support import projection_rows, replayed_rows


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def quoted(api: Api, items: list[dict[str, Any]], unit: str = "3-1502",
           community: str = "荔园一期") -> str:
    complaint_id = api.new_order("cleaning.in_unit", unit=unit, community=community)
    response = api.post(api.dispatcher, f"/complaints/{complaint_id}/quote", "desk",
                        {"items": items})
    assert response.status_code == 200, response.text
    return complaint_id


def answer(api: Api, complaint_id: str, verb: str) -> None:
    response = api.post(api.dispatcher, f"/complaints/{complaint_id}/quote/{verb}", "desk")
    assert response.status_code == 200, response.text


def bill(api: Api, month: str, role: str = "manager") -> dict[str, Any]:
    response = api.reporting.get("/reports/fees", headers=api.auth(role),
                                 params={"month": month})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_one_line_per_paid_order_completed_in_the_month_with_an_exact_total(api: Api) -> None:
    cleaning = quoted(api, [{"fee": "deep_clean.per_hour", "quantity": 3}])  # 135.00
    answer(api, cleaning, "accept")
    second = quoted(api, [{"fee": "deep_clean.per_hour", "quantity": 1}], unit="5-0201")
    answer(api, second, "accept")                                           # 45.00
    refused = quoted(api, [{"fee": "deep_clean.per_hour", "quantity": 2}], unit="7-0101")
    answer(api, refused, "decline")
    free = api.new_order("other")
    api.advance(hours=2)
    for complaint_id in (cleaning, second, free):
        api.work(complaint_id, "customer_service")
    assert api.sign_off(cleaning).status_code == 200  # signed off or not, the work is done
    late_in_month = quoted(api, [{"fee": "deep_clean.per_hour", "quantity": 1}], unit="9-9")
    answer(api, late_in_month, "accept")
    api.clock.at = datetime(2026, 10, 31, 23, 59, tzinfo=SHANGHAI)
    api.work(late_in_month, "customer_service", through="assign")
    api.clock.at = datetime(2026, 11, 1, 0, 1, tzinfo=SHANGHAI)             # completed in Nov
    completed = api.order_step(late_in_month, "complete", "department:customer_service",
                               {"note": "做完了"})
    assert completed.status_code == 200, completed.text

    october = bill(api, "2026-10")
    assert october["month"] == "2026-10"
    assert [(line["complaint_id"], line["unit"], line["amount"])
            for line in october["lines"]] == [(cleaning, "3-1502", "135.00"),
                                               (second, "5-0201", "45.00")]
    assert october["total"] == "180.00"
    assert isinstance(october["total"], str)
    assert october["lines"][0]["items"] == [{
        "fee": "deep_clean.per_hour", "name_zh": "室内清洁（每小时）",
        "name_en": "In-unit cleaning (per hour)", "unit_price": "45.00", "quantity": 3,
        "amount": "135.00"}]
    assert october["lines"][0]["community"] == "荔园一期"

    november = bill(api, "2026-11", role="desk")
    assert [line["complaint_id"] for line in november["lines"]] == [late_in_month]
    assert november["total"] == "45.00"


def test_the_total_is_the_exact_decimal_sum_where_floats_would_miss(
        database_url: str, tmp_path: Path) -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in floats; the bill says "0.30" exactly.
    fees = {"a": {"name_zh": "甲", "name_en": "A", "price": "0.10"},
            "b": {"name_zh": "乙", "name_en": "B", "price": "0.20"}}
    with open_api(database_url, tmp_path, policy=policy_with(fees=fees)) as api:
        for fee in ("a", "b"):
            complaint_id = quoted(api, [{"fee": fee, "quantity": 1}])
            answer(api, complaint_id, "accept")
            api.work(complaint_id, "customer_service")
        body = bill(api, "2026-10")
    assert sorted(line["amount"] for line in body["lines"]) == ["0.10", "0.20"]
    assert body["total"] == "0.30"


def test_an_empty_month_has_no_lines_and_a_zero_total(api: Api) -> None:
    assert bill(api, "2026-10") == {"month": "2026-10", "timezone": "Asia/Shanghai",
                                    "community": None, "lines": [], "total": "0.00"}


@pytest.mark.parametrize("role", ["kiosk", "leadership", "department:engineering"])
def test_only_the_manager_and_the_desk_read_the_bill(api: Api, role: str) -> None:
    response = api.reporting.get("/reports/fees", headers=api.auth(role),
                                 params={"month": "2026-10"})
    assert response.status_code == 403


def test_a_bad_month_is_422_naming_month(api: Api) -> None:
    response = api.reporting.get("/reports/fees", headers=api.auth("manager"),
                                 params={"month": "2026-13"})
    assert response.status_code == 422
    assert "month" in error_of(response)["fields"]


def test_the_fee_lines_rebuild_equal_to_the_live_table(api: Api) -> None:
    for quantity in (1, 2, 3):
        complaint_id = quoted(api, [{"fee": "deep_clean.per_hour", "quantity": quantity}])
        answer(api, complaint_id, "accept")
        api.work(complaint_id, "customer_service")
    refused = quoted(api, [{"fee": "deep_clean.per_hour", "quantity": 2}])
    answer(api, refused, "decline")
    projection = FeesProjection()
    bill(api, "2026-10")  # the live table, caught up by the read
    catch_up(api.store, projection)
    live = projection_rows(api.store.engine, projection)
    assert len(live["fee_lines"]) == 3
    assert live == replayed_rows(api.store, projection)
    rebuild(api.store, projection)
    assert projection_rows(api.store.engine, projection) == live
