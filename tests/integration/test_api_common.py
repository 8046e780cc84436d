"""What every service owes (contract.md, "Every HTTP endpoint"): health, docs, OpenAPI,
rate limits, and never a 500 for anything a client sent."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.api_support import (
    Api,
    complaint_body,
    error_of,
    open_api,
    policy_with,
    staff_body,
)

SERVICES = ("intake", "tracker", "reporting", "dispatcher")


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    with open_api(database_url, tmp_path) as built:
        yield built


def _backend(request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.params["database_url"])


# ------------------------------------------------------------------ health


@pytest.mark.parametrize("service", ["intake", "tracker", "reporting"])
def test_healthz_answers_200_without_auth_while_the_broker_is_away(
    api: Api, service: str
) -> None:
    response = api.clients[service].get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["store"] is True
    assert body["broker"] is False


def test_the_dispatchers_healthz_is_200_with_the_broker_there(
    database_url: str, tmp_path: Path, rabbitmq_server_url: str
) -> None:
    with open_api(database_url, tmp_path, rabbitmq_url=rabbitmq_server_url) as api:
        for service in SERVICES:
            response = api.clients[service].get("/healthz")
            assert response.status_code == 200, service
            assert response.json()["store"] is True
            assert response.json()["broker"] is True


def test_the_dispatchers_healthz_says_503_when_it_cannot_route_without_the_broker(
    api: Api,
) -> None:
    # The dispatcher's work (routing registrations) comes over the broker.
    response = api.dispatcher.get("/healthz")
    assert response.status_code == 503
    assert (response.json()["store"], response.json()["broker"]) == (True, False)


def test_intake_keeps_registering_while_the_broker_is_away(api: Api) -> None:
    assert api.intake.get("/healthz").json()["broker"] is False
    api.register("kiosk")
    assert api.registrations() == 1


# ------------------------------------------------------------------ docs and OpenAPI


@pytest.mark.parametrize("service", SERVICES)
def test_docs_is_an_html_page_that_works_offline(api: Api, service: str) -> None:
    client = api.clients[service]
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/openapi.json").status_code == 200


TRANSITIONS = {
    "intake": [("post", "/complaints/{complaint_id}/withdraw")],
    "tracker": [("post", f"/orders/{{complaint_id}}/{step}")
                for step in ("accept", "assign", "complete", "sign-off", "follow-ups")]
    + [("post", "/complaints/{complaint_id}/mail-check")],
    "dispatcher": [("post", f"/complaints/{{complaint_id}}/{step}")
                   for step in ("paid", "quote", "quote/accept", "quote/decline")],
}


@pytest.mark.parametrize("service, method, path", [
    (service, method, path) for service, routes in TRANSITIONS.items()
    for method, path in routes])
def test_openapi_lists_401_403_404_409_422_429_and_503_on_each_transition(
    api: Api, service: str, method: str, path: str
) -> None:
    document = api.clients[service].get("/openapi.json").json()
    answers = document["paths"][path][method]["responses"]
    for code in ("401", "403", "404", "409", "422", "429", "503"):
        assert code in answers, (path, code)
    error_ref = answers["409"]["content"]["application/json"]["schema"]["$ref"]
    assert error_ref.endswith("/ErrorBody")
    assert answers["422"]["content"]["application/json"]["schema"]["$ref"] == error_ref


def test_openapi_lists_the_registration_errors(api: Api) -> None:
    document = api.intake.get("/openapi.json").json()
    answers = document["paths"]["/complaints"]["post"]["responses"]
    for code in ("201", "401", "413", "422", "429"):
        assert code in answers, code
    answers = document["paths"]["/complaints/{complaint_id}"]["get"]["responses"]
    for code in ("200", "401", "403", "404", "422"):
        assert code in answers, code


@pytest.mark.parametrize("service, path", [("tracker", "/orders"),
                                           ("reporting", "/reports/monthly")])
def test_openapi_lists_401_403_422_and_503_on_the_reads(api: Api, service: str, path: str
                                                        ) -> None:
    answers = api.clients[service].get("/openapi.json").json()["paths"][path]["get"]["responses"]
    for code in ("401", "403", "422", "503"):
        assert code in answers, code
    # A known token's reads are never rate limited; a read's 429 is for forged tokens.
    assert "unknown tokens" in answers["429"]["description"]


def test_openapi_describes_the_error_body(api: Api) -> None:
    schemas = api.tracker.get("/openapi.json").json()["components"]["schemas"]
    assert "ErrorBody" in schemas
    assert "HTTPValidationError" not in schemas


# ------------------------------------------------------------------ rate limits


@pytest.fixture
def limited(database_url: str, tmp_path: Path) -> Iterator[Api]:
    policy = policy_with(limits={"kiosk_burst": 2, "kiosk_per_second": 0.001,
                                 "staff_burst": 3, "staff_per_second": 0.001})
    with open_api(database_url, tmp_path, policy=policy) as built:
        yield built


def test_a_kiosk_past_its_burst_gets_429_with_retry_after(limited: Api) -> None:
    for _ in range(2):
        limited.register("kiosk")
    response = limited.intake.post("/complaints", headers=limited.auth("kiosk"),
                                   json=complaint_body())
    assert response.status_code == 429
    assert error_of(response)["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) >= 1
    assert limited.registrations() == 2


def test_one_tokens_limit_leaves_the_others_alone(limited: Api) -> None:
    for _ in range(2):
        limited.register("kiosk")
    assert limited.intake.post("/complaints", headers=limited.auth("kiosk"),
                               json=complaint_body()).status_code == 429
    limited.register("desk")
    limited.register("department:security", **staff_body())


def test_the_shipped_kiosk_burst_is_30(api: Api) -> None:
    for _ in range(30):
        api.register("kiosk")
    response = api.intake.post("/complaints", headers=api.auth("kiosk"), json=complaint_body())
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_staff_writes_are_limited_too(limited: Api) -> None:
    complaint_id = limited.new_order("repair.common_area")
    note = {"note": "已联系业主"}
    answers = [limited.order_step(complaint_id, "follow-ups", "desk", note).status_code
               for _ in range(4)]
    # Each service keeps its own buckets: intake's registration spent none of tracker's.
    assert answers == [200, 200, 200, 429]


def test_reads_are_never_rate_limited(limited: Api) -> None:
    complaint_id = limited.new_order("repair.common_area")
    for _ in range(3):
        limited.intake.post("/complaints", headers=limited.auth("desk"), json=staff_body())
    assert limited.intake.post("/complaints", headers=limited.auth("desk"),
                               json=staff_body()).status_code == 429
    for _ in range(40):
        assert limited.intake.get(f"/complaints/{complaint_id}",
                                  headers=limited.auth("desk")).status_code == 200
        assert limited.tracker.get("/orders", headers=limited.auth("desk")).status_code == 200
        assert limited.reporting.get("/reports/monthly", headers=limited.auth("desk"),
                                     params={"month": "2026-10"}).status_code == 200
        assert limited.intake.get("/healthz").status_code == 200


def test_requests_refused_401_spend_no_ones_tokens(limited: Api) -> None:
    for _ in range(5):
        response = limited.intake.post("/complaints", json=complaint_body(),
                                       headers={"Authorization": "Bearer nobody"})
        assert response.status_code == 401
    limited.register("kiosk")


# ------------------------------------------------------------------ never a 500

MALFORMED: list[tuple[str, Any]] = [
    ("null", None),
    ("array", [1, 2]),
    ("empty-array", []),
    ("string", "hello"),
    ("number", 12),
    ("huge-int", 10**40),
    ("true", True),
    ("nested-nulls", {"a": None, "b": [None]}),
]
RAW: list[tuple[str, bytes]] = [
    ("not-json", b"{not json"),
    ("truncated", b'{"channel": "kio'),
    ("non-utf8", b'{"channel": "\xff\xfe\xfd"}'),
    ("latin1", '{"description": "caf\xe9"}'.encode("latin-1")),
    ("bom", b"\xef\xbb\xbf{}"),
    ("empty", b""),
    ("deep", b"[" * 5000 + b"]" * 5000),
    ("many-digits", b'{"quality": ' + b"9" * 5000 + b"}"),
    ("nan", b'{"quality": NaN, "attitude": Infinity}'),
    ("lone-surrogate", b'{"description": "\\ud800", "note": "\\udfff"}'),
]
FIELD_VALUES: list[Any] = [None, [], {}, 10**40, -1, 1.5, True, "", "x" * 3000,
                           "2026-13-45T99:99:99+08:00", {"$ne": 1}]


def _endpoints(api: Api, complaint_id: str) -> list[tuple[TestClient, str, str]]:
    return [
        (api.intake, "/complaints", "desk"),
        (api.intake, f"/complaints/{complaint_id}/withdraw", "desk"),
        (api.tracker, f"/orders/{complaint_id}/accept", "department:engineering"),
        (api.tracker, f"/orders/{complaint_id}/assign", "department:engineering"),
        (api.tracker, f"/orders/{complaint_id}/complete", "department:engineering"),
        (api.tracker, f"/orders/{complaint_id}/sign-off", "desk"),
        (api.tracker, f"/orders/{complaint_id}/follow-ups", "desk"),
        (api.tracker, f"/complaints/{complaint_id}/mail-check", "department:security"),
        (api.dispatcher, f"/complaints/{complaint_id}/paid", "desk"),
        (api.dispatcher, f"/complaints/{complaint_id}/quote", "desk"),
        (api.dispatcher, f"/complaints/{complaint_id}/quote/accept", "desk"),
        (api.dispatcher, f"/complaints/{complaint_id}/quote/decline", "desk"),
    ]


def _still_serving(api: Api) -> None:
    """The reads that replay projections answer too (a poisoned event would break them)."""
    assert api.tracker.get("/orders", headers=api.auth("desk"),
                           params={"status": "all"}).status_code == 200
    assert api.reporting.get("/reports/monthly", headers=api.auth("manager"),
                             params={"month": "2026-10"}).status_code == 200


def test_malformed_json_bodies_never_get_a_500(api: Api) -> None:
    complaint_id = api.new_order("repair.in_unit")
    failures = []
    for client, path, role in _endpoints(api, complaint_id):
        for name, body in MALFORMED:
            response = client.post(path, headers=api.auth(role), json=body)
            if response.status_code >= 500:
                failures.append((path, name, response.status_code))
            elif response.status_code >= 400:
                error_of(response)
        for name, raw in RAW:
            headers = api.auth(role) | {"Content-Type": "application/json"}
            response = client.post(path, headers=headers, content=raw)
            if response.status_code >= 500:
                failures.append((path, name, response.status_code))
    assert failures == []
    _still_serving(api)


FIELDS = {
    "/complaints": list(staff_body(appointment={"start": "2026-10-06T09:00:00+08:00",
                                                "end": "2026-10-06T12:00:00+08:00"})),
    "withdraw": ["reason"], "assign": ["team"], "complete": ["note"],
    "sign-off": ["quality", "attitude", "signed_by", "comment"], "follow-ups": ["note"],
    "mail-check": ["checked", "finding"], "paid": ["paid"], "quote": ["items"],
    "quote/decline": ["reason"],
}
VALID = {
    "/complaints": staff_body(), "withdraw": {"reason": "r"}, "assign": {"team": "t"},
    "complete": {"note": "n"}, "sign-off": {"quality": 5, "attitude": 5, "signed_by": "z"},
    "follow-ups": {"note": "n"}, "mail-check": {"checked": "c", "finding": "f"},
    "paid": {"paid": True}, "quote": {"items": [{"fee": "faucet.replace"}]},
    "quote/decline": {"reason": "r"},
}


def test_a_wrong_value_in_any_field_never_gets_a_500(api: Api) -> None:
    complaint_id = api.new_order("mail.lost_late")
    failures = []
    for client, path, role in _endpoints(api, complaint_id):
        key = next((k for k in FIELDS if path.endswith(k)), None)
        if key is None:
            continue
        for field in FIELDS[key]:
            for value in FIELD_VALUES:
                body = dict(VALID[key]) | {field: value}
                response = client.post(path, headers=api.auth(role), json=body)
                if response.status_code >= 500:
                    failures.append((path, field, repr(value)[:30], response.status_code))
    assert failures == []
    _still_serving(api)


def test_wrong_values_inside_nested_objects_never_get_a_500(api: Api) -> None:
    complaint_id = api.new_order("cleaning.in_unit")
    bodies: list[Any] = [
        complaint_body(appointment={"start": None, "end": None}),
        complaint_body(appointment=[]),
        complaint_body(appointment={"start": 1, "end": 2}),
        complaint_body(appointment={"start": "2026-10-06T09:00:00+08:00"}),
        complaint_body(appointment={"start": "2026-10-06T09:00:00+25:00",
                                    "end": "2026-10-06T12:00:00+08:00"}),
    ]
    failures = []
    for body in bodies:
        response = api.intake.post("/complaints", headers=api.auth("desk"), json=body)
        if response.status_code >= 500:
            failures.append(body)
    for items in [[None], [[]], [{"fee": None}], [{"fee": "faucet.replace", "quantity": None}],
                  [{"fee": "faucet.replace", "quantity": 10**40}], [{"fee": ["x"]}],
                  [{"fee": "faucet.replace"}] * 51]:
        response = api.post(api.dispatcher, f"/complaints/{complaint_id}/quote", "desk",
                            {"items": items})
        if response.status_code >= 500:
            failures.append(items)
    assert failures == []


@pytest.mark.parametrize("path", ["/orders/{id}/accept", "/complaints/{id}",
                                  "/complaints/{id}/paid"])
def test_odd_ids_in_the_path_never_get_a_500(api: Api, path: str) -> None:
    client = {"/orders/{id}/accept": api.tracker, "/complaints/{id}": api.intake,
              "/complaints/{id}/paid": api.dispatcher}[path]
    for odd in ["0", "-1", "ä", "%ff", "..", "x" * 500, str(uuid.UUID(int=0)),
                str(uuid.uuid4()).upper(), "{" + str(uuid.uuid4()) + "}"]:
        url = path.replace("{id}", odd)
        if path.endswith("}"):
            response = client.get(url, headers=api.auth("desk"))
        else:
            response = client.post(url, headers=api.auth("department:engineering"),
                                   json={"paid": True})
        assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize("params", [
    {"status": ""}, {"department": "x" * 5000}, {"status": ["open", "all"]},
    {"department": "'; DROP TABLE events; --"}, {"community": "荔园一期"},
])
def test_odd_board_queries_never_get_a_500(api: Api, params: dict[str, Any]) -> None:
    api.new_order("other")
    response = api.tracker.get("/orders", headers=api.auth("desk"), params=params)
    assert response.status_code < 500


@pytest.mark.parametrize("month", ["1970-01", "2100-12", "2999-12"])
def test_far_months_within_the_supported_range_are_reported(api: Api, month: str) -> None:
    assert api.report(month)["total"] == 0


def test_odd_headers_never_get_a_500(api: Api) -> None:
    cases: list[dict[str, str | bytes]] = [
        {"Authorization": "Bearer"}, {"Authorization": "Basic Zm9vOmJhcg=="},
        {"Authorization": "Bearer " + "x" * 5000},
        {"Authorization": "Bearer é".encode()},
        {"Idempotency-Key": "k" * 500} | api.auth("desk"),
        {"Idempotency-Key": ""} | api.auth("desk"),
        {"Idempotency-Key": "é".encode()} | api.auth("desk"),
        {"X-Correlation-ID": "é".encode()} | api.auth("desk"),
        {"Content-Type": "text/plain"} | api.auth("desk"),
    ]
    for headers in cases:
        response = api.intake.post("/complaints", headers=headers, json=staff_body())
        assert response.status_code < 500, headers


def test_an_idempotency_key_over_200_characters_is_422_naming_it(api: Api) -> None:
    headers = {"Idempotency-Key": "k" * 201} | api.auth("desk")
    response = api.intake.post("/complaints", headers=headers, json=staff_body())
    assert response.status_code == 422
    assert "idempotency-key" in {name.lower() for name in error_of(response)["fields"]}


# ------------------------------------------------------------------ edges of the input space


def _far_appointment(start: str, end: str) -> dict[str, Any]:
    return complaint_body(appointment={"start": start, "end": end})


@pytest.mark.parametrize("start, end", [
    ("9999-12-31T20:00:00-14:00", "9999-12-31T23:00:00-14:00"),
    ("0001-01-01T00:00:00+14:00", "0001-01-01T03:00:00+14:00"),
], ids=["year-9999", "year-1"])
def test_an_appointment_at_the_edge_of_time_never_breaks_the_board_or_reports(
    api: Api, start: str, end: str
) -> None:
    response = api.intake.post("/complaints", headers=api.auth("desk"),
                               json=_far_appointment(start, end))
    assert response.status_code < 500
    if response.status_code == 201:
        api.route(response.json()["complaint_id"])
    _still_serving(api)


def test_a_nul_character_in_text_never_gets_a_500(
    api: Api, request: pytest.FixtureRequest
) -> None:
    response = api.intake.post("/complaints", headers=api.auth("desk"),
                               json=complaint_body(description="报纸\u0000没收到"))
    assert response.status_code in (201, 422)
    if response.status_code == 422:
        assert "description" in error_of(response)["fields"]
    complaint_id = api.new_order("repair.common_area")
    api.work(complaint_id, "engineering", through="accept")
    response = api.order_step(complaint_id, "assign", "department:engineering",
                              {"team": "水电\u0000班"})
    assert response.status_code in (200, 422)


@pytest.mark.parametrize("raw", [b'{"channel": "\xff\xfe"}', b"[" * 5000 + b"]" * 5000,
                                 b'{"channel": ' + b"1" * 5000 + b"}"],
                         ids=["non-utf8", "deep", "many-digits"])
def test_an_unparseable_body_is_422_naming_the_body(api: Api, raw: bytes) -> None:
    headers = api.auth("desk") | {"Content-Type": "application/json"}
    response = api.intake.post("/complaints", headers=headers, content=raw)
    assert response.status_code == 422
    assert "body" in error_of(response)["fields"]


def test_malformed_json_is_422_naming_the_body(api: Api) -> None:
    headers = api.auth("desk") | {"Content-Type": "application/json"}
    response = api.intake.post("/complaints", headers=headers, content=b'{"channel": ')
    assert response.status_code == 422
    assert "body" in error_of(response)["fields"]



@pytest.mark.parametrize("month", ["9999-12", "0000-01", "0001-01"])
def test_a_month_at_the_edge_of_time_is_422_or_reported_never_500(
    api: Api, month: str
) -> None:
    response = api.reporting.get("/reports/monthly", headers=api.auth("manager"),
                                 params={"month": month})
    assert response.status_code in (200, 422)
    if response.status_code == 422:
        assert "month" in error_of(response)["fields"]


@pytest.mark.parametrize("service, path, params", [
    ("tracker", "/orders", {"community": "\x00"}),
    ("tracker", "/orders", {"department": "a\x00b"}),
    ("reporting", "/reports/monthly", {"month": "2026-10", "community": "\x00"}),
], ids=["orders-community", "orders-department", "report-community"])
def test_a_nul_character_in_a_query_never_gets_a_500(
    api: Api, request: pytest.FixtureRequest, service: str, path: str,
    params: dict[str, str],
) -> None:
    api.new_order("other")
    response = api.clients[service].get(path, headers=api.auth("desk"), params=params)
    assert response.status_code < 500


@pytest.mark.parametrize("case", ["paid-no", "quality-true", "quality-string", "read-back-yes"])
def test_a_value_of_the_wrong_json_type_is_422(api: Api, case: str) -> None:
    if case == "read-back-yes":
        response = api.intake.post("/complaints", headers=api.auth("desk"),
                                   json=staff_body(read_back_confirmed="yes"))
        assert response.status_code == 422
        return
    complaint_id = api.new_order("repair.in_unit")
    if case == "paid-no":
        response = api.post(api.dispatcher, f"/complaints/{complaint_id}/paid", "desk",
                            {"paid": "no"})
        assert response.status_code == 422
        return
    api.post(api.dispatcher, f"/complaints/{complaint_id}/paid", "desk", {"paid": False})
    api.work(complaint_id, "engineering")
    quality: Any = True if case == "quality-true" else "5"
    response = api.order_step(complaint_id, "sign-off", "desk",
                              {"quality": quality, "attitude": 5, "signed_by": "张三"})
    assert response.status_code == 422
