"""The services hardened (issue 5): exact limits on the service's clock, forged tokens
limited by address, headers that keep answers out of caches, an access log, and an
OpenAPI document that says what validation does."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from shared.http.limits import FORGED_BURST
from tests.integration.api_support import Api, complaint_body, error_of, open_api

SERVICES = ("intake", "tracker", "reporting", "dispatcher")


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def _kiosk_post(api: Api) -> int:
    response = api.intake.post("/complaints", headers=api.auth("kiosk"), json=complaint_body())
    return response.status_code


# ------------------------------------------------------------------ one clock


def test_the_kiosk_limit_refills_on_the_services_clock_not_the_wall_clock(api: Api) -> None:
    for _ in range(30):
        api.register("kiosk")
    time.sleep(1.2)  # a slow machine: over a second of wall time, a token's worth at 1/s
    assert _kiosk_post(api) == 429
    api.advance(seconds=1)  # the service's clock: exactly one token back
    assert [_kiosk_post(api), _kiosk_post(api)] == [201, 429]


# ------------------------------------------------------------------ forged tokens


def test_forged_tokens_are_limited_by_client_address(api: Api) -> None:
    forged = {"Authorization": "Bearer forged-0123456789abcdef0123456789abcdef"}
    answers = [api.intake.post("/complaints", headers=forged, json=complaint_body())
               for _ in range(300)]
    statuses = [a.status_code for a in answers]
    assert statuses == [401] * FORGED_BURST + [429] * (300 - FORGED_BURST)
    assert int(answers[-1].headers["Retry-After"]) >= 1
    assert error_of(answers[-1])["code"] == "rate_limited"
    assert api.registrations() == 0
    api.register("kiosk")  # the real kiosk at that address is not locked out
    assert api.intake.get("/complaints/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12,
                          headers=forged).status_code == 429  # reads count too


# ------------------------------------------------------------------ headers, log


@pytest.mark.parametrize("service", SERVICES)
def test_api_answers_say_nosniff_and_no_store(api: Api, service: str) -> None:
    client = api.clients[service]
    for response in (client.get("/openapi.json"), client.get("/healthz"),
                     client.get("/nowhere"), client.post("/complaints/x/paid")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"


def test_401_403_and_429_leave_a_trace_in_the_access_log(api: Api) -> None:
    complaint_id = api.register("desk")
    with capture_logs() as logs:
        api.intake.get(f"/complaints/{complaint_id}?phone=13800138000")
        api.post(api.intake, f"/complaints/{complaint_id}/withdraw", "kiosk",
                 {"reason": "不需要了"})
        for _ in range(31):
            _kiosk_post(api)
    lines = [e for e in logs if e["event"] == "http.request"]
    seen = [(e["status"], e["role"]) for e in lines]
    assert seen[:2] == [(401, "anonymous"), (403, "kiosk")]
    assert seen[-1] == (429, "kiosk")
    assert all(e["path"].startswith("/complaints") and "?" not in e["path"] for e in lines)
    assert all({"method", "duration_ms"} <= set(e) for e in lines)


# ------------------------------------------------------------------ what validation does


def test_the_schema_and_the_service_both_refuse_a_field_of_only_whitespace(api: Api) -> None:
    document = api.intake.get("/openapi.json").json()
    community = document["components"]["schemas"]["ComplaintCreate"]["properties"]["community"]
    assert community["minLength"] == 1
    assert re.fullmatch(community["pattern"], "荔园一期")
    assert not re.fullmatch(community["pattern"], "   ")
    response = api.intake.post("/complaints", headers=api.auth("desk"),
                               json=complaint_body(community="   "))
    assert response.status_code == 422
    assert "community" in error_of(response)["fields"]
