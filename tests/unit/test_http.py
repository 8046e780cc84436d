"""The shared HTTP edge (shared.http): errors, limits, docs, OpenAPI, rate limits."""

# No `from __future__ import annotations`: FastAPI must see the Depends(...) on
# locally built dependencies (auth, limiter) at runtime, not as strings.
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from shared.app.clock import FixedClock
from shared.http import (
    MAX_BODY_BYTES,
    Conflict,
    LongText,
    NotFound,
    Phone,
    RateLimited,
    RateLimiter,
    RequestModel,
    ShortText,
    TokenBucket,
    create_app,
    responses,
)
from shared.http.auth import Authenticator, Principal

KIOSK, DESK = "kiosk-token-aaaaaaaaaaaa", "desk-token-bbbbbbbbbbbbb"
TOKENS = f'[tokens]\n"{KIOSK}" = "kiosk"\n"{DESK}" = {{ role = "desk", name = "desk-07" }}\n'


class Appointment(RequestModel):
    start: int
    end: int


class ComplaintCreate(RequestModel):
    name: ShortText
    phone: Phone
    description: LongText
    appointment: Appointment | None = None


@pytest.fixture
def clock() -> FixedClock:
    """The app's one clock, moved by hand: rate limits refill only when a test says."""
    return FixedClock(datetime(2026, 10, 5, 2, 0, tzinfo=UTC))


@pytest.fixture
def client(tmp_path: Path, clock: FixedClock) -> Iterator[TestClient]:
    tokens = tmp_path / "tokens.toml"
    tokens.write_text(TOKENS, encoding="utf-8")
    auth = Authenticator(tokens, clock=clock)
    limiter = RateLimiter(kiosk_burst=2, kiosk_per_second=1.0, staff_burst=5, clock=clock)
    app = create_app("http test", "one guarded read, one validated write", clock=clock)
    Writer = Annotated[Principal, Depends(limiter.limited(auth.require()))]

    @app.get("/desk")
    def desk_only(who: Annotated[Principal, Depends(auth.require("desk"))]) -> str:
        return who.actor

    @app.post("/complaints", status_code=201)
    def register(body: ComplaintCreate, who: Writer) -> dict[str, Any]:
        return {"by": who.actor, "phone": body.phone, "name": body.name}

    @app.post("/complaints/{number}/sign-off", responses=responses(404, 409))
    def sign_off(number: int, who: Writer) -> None:
        if number == 404:
            raise NotFound(f"no complaint {number}")
        raise Conflict("P-11", "sign-off needs the work completed first")

    @app.get("/defect")
    def defect() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _bearer(token: str = DESK) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _complaint(**changes: Any) -> dict[str, Any]:
    return {"name": "Li Wei", "phone": "13800138000", "description": "漏水"} | changes


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return dict(body["error"])


# --------------------------------------------------------------------------- 422


def test_a_valid_body_is_accepted_with_the_phone_normalised(client: TestClient) -> None:
    response = client.post(
        "/complaints", headers=_bearer(), json=_complaint(phone="138 0013 8000", name="  Li ")
    )
    assert response.status_code == 201
    assert response.json() == {"by": "desk-07", "phone": "13800138000", "name": "Li"}


@pytest.mark.parametrize("phone", ["0755-86001234", "075586001234", "(0755)86001234"])
def test_landlines_with_an_area_code_are_accepted(client: TestClient, phone: str) -> None:
    response = client.post("/complaints", headers=_bearer(), json=_complaint(phone=phone))
    assert response.status_code == 201


def test_an_unknown_field_is_refused_by_name(client: TestClient) -> None:
    response = client.post("/complaints", headers=_bearer(), json=_complaint(colour="red"))
    assert response.status_code == 422
    error = _error(response)
    assert error["code"] == "invalid"
    assert error["fields"] == {"colour": "unknown field"}


def test_too_long_text_is_refused_by_name(client: TestClient) -> None:
    body = _complaint(name="x" * 201, description="y" * 2001)
    error = _error(client.post("/complaints", headers=_bearer(), json=body))
    assert set(error["fields"]) == {"name", "description"}
    assert "200" in error["fields"]["name"] and "2000" in error["fields"]["description"]


@pytest.mark.parametrize("phone", ["12345", "23800138000", "0755-123", "phone me"])
def test_a_bad_phone_is_refused_saying_what_is_accepted(client: TestClient, phone: str) -> None:
    response = client.post("/complaints", headers=_bearer(), json=_complaint(phone=phone))
    assert response.status_code == 422
    assert "mainland mobile" in _error(response)["fields"]["phone"]


def test_a_nested_field_is_named_by_its_dotted_path(client: TestClient) -> None:
    body = _complaint(appointment={"start": 1, "end": "later"})
    error = _error(client.post("/complaints", headers=_bearer(), json=body))
    assert list(error["fields"]) == ["appointment.end"]


def test_malformed_json_is_422_naming_the_body(client: TestClient) -> None:
    response = client.post(
        "/complaints",
        headers=_bearer() | {"Content-Type": "application/json"},
        content=b'{"name": ',
    )
    assert response.status_code == 422
    assert "malformed JSON" in _error(response)["fields"]["body"]


# --------------------------------------------------------------------------- 413


def test_a_body_over_64_kib_with_content_length_is_413(client: TestClient) -> None:
    response = client.post("/complaints", headers=_bearer(), content=b"x" * 70 * 1024)
    assert response.request.headers["Content-Length"] == str(70 * 1024)
    assert response.status_code == 413
    assert _error(response)["code"] == "body_too_large"


def test_a_chunked_body_over_64_kib_without_content_length_is_413(client: TestClient) -> None:
    chunks = (b"x" * 1024 for _ in range(70))
    response = client.post("/complaints", headers=_bearer(), content=chunks)
    assert "Content-Length" not in response.request.headers
    assert response.status_code == 413
    assert _error(response)["code"] == "body_too_large"


def test_a_chunked_body_within_the_limit_reaches_the_app_whole(client: TestClient) -> None:
    raw = b'{"name": "Li", "phone": "13800138000", "description": "leak"}'
    chunks = (raw[i : i + 7] for i in range(0, len(raw), 7))
    headers = _bearer() | {"Content-Type": "application/json"}
    assert client.post("/complaints", headers=headers, content=chunks).status_code == 201


def test_a_body_of_exactly_64_kib_is_not_refused_for_size(client: TestClient) -> None:
    response = client.post("/complaints", headers=_bearer(), content=b" " * MAX_BODY_BYTES)
    assert response.status_code != 413


# --------------------------------------------------------------------------- other errors


def test_an_unknown_route_is_404_in_our_format(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_a_wrong_method_is_405_in_our_format(client: TestClient) -> None:
    response = client.delete("/desk")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"


def test_a_route_raising_not_found_is_404_in_our_format(client: TestClient) -> None:
    response = client.post("/complaints/404/sign-off", headers=_bearer())
    assert response.status_code == 404
    assert _error(response)["message"] == "no complaint 404"


def test_a_conflict_is_409_naming_the_rule(client: TestClient) -> None:
    response = client.post("/complaints/7/sign-off", headers=_bearer())
    assert response.status_code == 409
    assert _error(response)["message"].startswith("P-11: ")


def test_a_defect_is_500_in_our_format_without_details(client: TestClient) -> None:
    response = client.get("/defect")
    assert response.status_code == 500
    error = _error(response)
    assert error["code"] == "internal"
    assert "secret" not in response.text and "RuntimeError" not in response.text


# --------------------------------------------------------------------------- correlation id


def test_a_given_correlation_id_is_echoed(client: TestClient) -> None:
    response = client.get("/desk", headers=_bearer() | {"X-Correlation-ID": "kiosk-3.req-42"})
    assert response.headers["X-Correlation-ID"] == "kiosk-3.req-42"


def test_a_missing_or_unsafe_correlation_id_is_replaced_by_a_new_one(client: TestClient) -> None:
    fresh = client.get("/desk", headers=_bearer()).headers["X-Correlation-ID"]
    unsafe = client.get("/desk", headers=_bearer() | {"X-Correlation-ID": "a b<script>"})
    assert re.fullmatch(r"[0-9a-f-]{36}", fresh)
    assert re.fullmatch(r"[0-9a-f-]{36}", unsafe.headers["X-Correlation-ID"])


def test_error_answers_carry_the_correlation_id_too(client: TestClient) -> None:
    assert "X-Correlation-ID" in client.get("/defect").headers
    big = client.post("/complaints", content=b"x" * 70 * 1024)
    assert "X-Correlation-ID" in big.headers


# --------------------------------------------------------------------------- docs, OpenAPI


def test_the_docs_page_loads_nothing_from_the_internet(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "http://" not in page.text and "https://" not in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def _operation(client: TestClient, path: str, method: str) -> dict[str, Any]:
    document = client.get("/openapi.json").json()
    return dict(document["paths"][path][method])


def _schema_ref(answer: dict[str, Any]) -> str:
    return str(answer["content"]["application/json"]["schema"]["$ref"])


def test_openapi_lists_401_and_403_on_a_guarded_route_with_our_schema(client: TestClient) -> None:
    answers = _operation(client, "/desk", "get")["responses"]
    for status in ("401", "403"):
        assert _schema_ref(answers[status]) == "#/components/schemas/ErrorBody"


def test_openapi_lists_our_422_and_the_write_errors_on_a_write(client: TestClient) -> None:
    answers = _operation(client, "/complaints", "post")["responses"]
    assert {"401", "413", "422", "429"} <= set(answers)
    assert _schema_ref(answers["422"]) == "#/components/schemas/ErrorBody"
    assert "Retry-After" in answers["429"]["headers"]


def test_openapi_lists_errors_declared_on_the_route(client: TestClient) -> None:
    answers = _operation(client, "/complaints/{number}/sign-off", "post")["responses"]
    assert {"404", "409"} <= set(answers)


def test_openapi_has_no_trace_of_fastapis_default_error_schema(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    assert schemas["ErrorDetail"]["required"] == ["code", "message", "fields"]


# --------------------------------------------------------------------------- rate limits


def test_a_token_bucket_allows_a_burst_then_refills_at_its_rate() -> None:
    bucket = TokenBucket(burst=3, per_second=2.0)
    assert [bucket.take(10.0) for _ in range(3)] == [None, None, None]
    assert bucket.take(10.0) == pytest.approx(0.5)
    assert bucket.take(10.5) is None  # one token back after half a second
    assert bucket.take(10.5) == pytest.approx(0.5)
    later = [bucket.take(100.0) for _ in range(4)]  # a long pause refills only to the burst
    assert later[:3] == [None, None, None] and later[3] is not None


def test_a_token_bucket_never_holds_more_than_its_burst() -> None:
    bucket = TokenBucket(burst=2, per_second=1.0)
    results = [bucket.take(0.0), bucket.take(1000.0), bucket.take(1000.0), bucket.take(1000.0)]
    assert results[:3] == [None, None, None]
    assert results[3] is not None


def test_a_clock_going_back_refills_nothing() -> None:
    bucket = TokenBucket(burst=1, per_second=1.0)
    assert bucket.take(50.0) is None
    assert bucket.take(10.0) is not None


def test_the_rate_limiter_sizes_kiosk_and_staff_buckets_apart() -> None:
    limiter = RateLimiter(kiosk_burst=1, kiosk_per_second=1.0, staff_burst=3)
    kiosk, desk = Principal("kiosk", None, "k1"), Principal("desk", None, "d1")
    limiter.check(kiosk, 0.0)
    with pytest.raises(RateLimited) as raised:
        limiter.check(kiosk, 0.0)
    assert raised.value.headers["Retry-After"] == "1"
    for _ in range(3):
        limiter.check(desk, 0.0)


def test_a_write_over_the_limit_is_429_with_retry_after(client: TestClient,
                                                        clock: FixedClock) -> None:
    headers = _bearer(KIOSK)
    assert [
        client.post("/complaints", headers=headers, json=_complaint()).status_code for _ in range(2)
    ] == [201, 201]
    refused = client.post("/complaints", headers=headers, json=_complaint())
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert _error(refused)["code"] == "rate_limited"
    clock.advance(seconds=1)
    assert client.post("/complaints", headers=headers, json=_complaint()).status_code == 201


def test_reads_are_not_rate_limited(client: TestClient) -> None:
    assert {client.get("/desk", headers=_bearer()).status_code for _ in range(20)} == {200}
