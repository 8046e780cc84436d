"""The HTTP edge under stress: store outages, forged tokens, headers, the access log."""

# No `from __future__ import annotations`: FastAPI must see the Depends(...) on
# locally built dependencies (auth, limiter) at runtime, not as strings.
import json
import re
import sqlite3
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import psycopg
import pytest
import sqlalchemy as sa
import structlog
from fastapi import Depends
from fastapi.testclient import TestClient
from pydantic import TypeAdapter, ValidationError
from structlog.testing import capture_logs

from shared.app.clock import FixedClock
from shared.app.logging import configure_logging
from shared.http import (
    LongText,
    RateLimiter,
    RequestModel,
    ShortText,
    create_app,
    is_store_outage,
)
from shared.http.auth import Authenticator, Principal
from shared.http.limits import FORGED_BURST

KIOSK, DESK = "kiosk-token-aaaaaaaaaaaa", "desk-token-bbbbbbbbbbbbb"
TOKENS = f'[tokens]\n"{KIOSK}" = "kiosk"\n"{DESK}" = {{ role = "desk", name = "desk-07" }}\n'
FORGED = "forged-token-0000000000000"


def _pg_outage() -> sa.exc.DBAPIError:
    cause = psycopg.OperationalError('connection to server at "127.0.0.1", port 5600 failed')
    return sa.exc.OperationalError("SELECT 1 -- 13800138000", {"phone": "13800138000"}, cause)


OUTAGES: dict[str, Callable[[], BaseException]] = {
    "postgres-down": _pg_outage,
    "postgres-shutdown": lambda: sa.exc.OperationalError(
        "INSERT", {}, psycopg.errors.AdminShutdown("terminating connection")),
    "connection-closed": lambda: sa.exc.InterfaceError(
        "SELECT 1", {}, psycopg.InterfaceError("the connection is closed")),
    "invalidated": lambda: sa.exc.DBAPIError(
        "SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True),
    "sqlite-locked": lambda: sa.exc.OperationalError(
        "INSERT", {}, sqlite3.OperationalError("database is locked")),
    "pool-exhausted": lambda: sa.exc.TimeoutError("QueuePool limit of size 5 reached"),
}
DEFECTS: dict[str, Callable[[], BaseException]] = {
    "sqlite-no-table": lambda: sa.exc.OperationalError(
        "SELECT", {}, sqlite3.OperationalError("no such table: events")),
    "integrity": lambda: sa.exc.IntegrityError(
        "INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")),
    "bad-sql": lambda: sa.exc.ProgrammingError(
        "SELEC", {}, psycopg.errors.SyntaxError("syntax error")),
}


class SteppingClock(FixedClock):
    """Every monotonic reading is a quarter second after the one before."""

    def __init__(self) -> None:
        super().__init__(datetime(2026, 10, 5, 2, 0, tzinfo=UTC))
        self.readings = 0

    def monotonic(self) -> float:
        self.readings += 1
        return self.readings * 0.25


class Body(RequestModel):
    name: ShortText


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 10, 5, 2, 0, tzinfo=UTC))


def _app(tmp_path: Path, clock: FixedClock) -> TestClient:
    tokens = tmp_path / "tokens.toml"
    tokens.write_text(TOKENS, encoding="utf-8")
    auth = Authenticator(tokens, clock=clock)
    limiter = RateLimiter(kiosk_burst=1, kiosk_per_second=1.0, clock=clock)
    app = create_app("hardening test", "outages, forgeries, headers", clock=clock)
    Writer = Annotated[Principal, Depends(limiter.limited(auth.require()))]
    Desk = Annotated[Principal, Depends(auth.require("desk"))]

    @app.get("/desk")
    def desk_only(who: Desk, phone: str | None = None) -> str:
        return who.actor

    @app.post("/complaints", status_code=201)
    def register(body: Body, who: Writer) -> str:
        return body.name

    @app.get("/store/{kind}")
    def store(kind: str, who: Desk) -> None:
        raise (OUTAGES | DEFECTS)[kind]()

    @app.get("/open")
    def unguarded() -> str:
        return "ok"

    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path: Path, clock: FixedClock) -> Iterator[TestClient]:
    with _app(tmp_path, clock) as test_client:
        yield test_client


def _bearer(token: str = DESK) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return dict(body["error"])


# --------------------------------------------------------------------------- store outages


@pytest.mark.parametrize("kind", sorted(OUTAGES))
def test_a_store_outage_is_503_with_retry_after_and_a_warning(client: TestClient,
                                                              kind: str) -> None:
    with capture_logs() as logs:
        response = client.get(f"/store/{kind}", headers=_bearer())
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert _error(response)["code"] == "store_unavailable"
    (warning,) = [e for e in logs if e["event"] == "store.unavailable"]
    assert warning["log_level"] == "warning"
    assert "exc_info" not in warning  # an outage is not a defect: no traceback
    assert warning["path"] == f"/store/{kind}"
    assert not [e for e in logs if e["log_level"] == "error"]


def test_the_outage_warning_names_the_drivers_reason_but_not_the_sql(client: TestClient
                                                                     ) -> None:
    with capture_logs() as logs:
        client.get("/store/postgres-down", headers=_bearer())
    (warning,) = [e for e in logs if e["event"] == "store.unavailable"]
    assert warning["reason"].startswith("OperationalError: connection to server at")
    assert "SELECT" not in warning["reason"] and "13800138000" not in warning["reason"]


@pytest.mark.parametrize("kind", sorted(DEFECTS))
def test_other_database_errors_stay_a_logged_500(client: TestClient, kind: str) -> None:
    with capture_logs() as logs:
        response = client.get(f"/store/{kind}", headers=_bearer())
    assert response.status_code == 500
    assert _error(response)["code"] == "internal"
    assert [e["event"] for e in logs if e["log_level"] == "error"] == ["unhandled error"]


def test_the_classifier_knows_outages_from_defects() -> None:
    assert all(is_store_outage(make()) for make in OUTAGES.values())
    assert not any(is_store_outage(make()) for make in DEFECTS.values())
    assert not is_store_outage(RuntimeError("database is locked"))


def test_openapi_lists_503_with_retry_after_on_guarded_routes_only(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path, method in [("/desk", "get"), ("/complaints", "post"), ("/store/{kind}", "get")]:
        answer = paths[path][method]["responses"]["503"]
        assert "Retry-After" in answer["headers"]
        assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert "503" not in paths["/open"]["get"]["responses"]


# --------------------------------------------------------------------------- forged tokens


def test_unknown_tokens_are_limited_by_client_address(client: TestClient,
                                                      clock: FixedClock) -> None:
    answers = [client.get("/desk", headers=_bearer(FORGED)) for _ in range(FORGED_BURST + 30)]
    assert {a.status_code for a in answers[:FORGED_BURST]} == {401}
    refused = answers[FORGED_BURST:]
    assert {a.status_code for a in refused} == {429}
    assert refused[0].headers["Retry-After"] == "1"
    assert "unknown tokens from this address" in _error(refused[0])["message"]
    # A known token from the same address is never refused for the forger's sake.
    assert client.get("/desk", headers=_bearer()).status_code == 200
    clock.advance(seconds=1)  # one forgery's worth refilled, exactly
    assert client.get("/desk", headers=_bearer(FORGED)).status_code == 401
    assert client.get("/desk", headers=_bearer(FORGED)).status_code == 429


def test_another_address_has_its_own_forgery_budget(client: TestClient) -> None:
    for _ in range(FORGED_BURST):
        client.get("/desk", headers=_bearer(FORGED))
    assert client.get("/desk", headers=_bearer(FORGED)).status_code == 429
    elsewhere = TestClient(client.app, raise_server_exceptions=False,
                           client=("10.0.0.9", 40000))
    assert elsewhere.get("/desk", headers=_bearer(FORGED)).status_code == 401


def test_a_missing_token_spends_no_forgery_budget(client: TestClient) -> None:
    for _ in range(FORGED_BURST + 5):
        assert client.get("/desk").status_code == 401
    assert client.get("/desk", headers=_bearer(FORGED)).status_code == 401


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize("request_", [
    ("get", "/desk", True, 200), ("get", "/desk", False, 401), ("get", "/nowhere", True, 404),
    ("get", "/store/postgres-down", True, 503), ("get", "/store/integrity", True, 500),
    ("post", "/complaints", True, 413), ("get", "/openapi.json", False, 200),
])
def test_every_api_answer_says_nosniff_and_no_store(
    client: TestClient, request_: tuple[str, str, bool, int]
) -> None:
    method, path, authorised, status = request_
    headers = _bearer() if authorised else {}
    body = b"x" * 70 * 1024 if method == "post" else None
    response = client.request(method, path, headers=headers, content=body)
    assert response.status_code == status
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_docs_page_may_be_cached_but_is_not_sniffed(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in page.headers.get("Cache-Control", "")


# --------------------------------------------------------------------------- access log


def _access(logs: Sequence[MutableMapping[str, Any]]) -> list[MutableMapping[str, Any]]:
    return [e for e in logs if e["event"] == "http.request"]


@pytest.mark.parametrize("case", [
    ("desk", DESK, "get", "/desk", 200, "desk"),
    ("missing", None, "get", "/desk", 401, "anonymous"),
    ("unknown", FORGED, "get", "/desk", 401, "unknown-token"),
    ("wrong-role", KIOSK, "get", "/desk", 403, "kiosk"),
    ("unguarded", None, "get", "/open", 200, "anonymous"),
    ("not-found", DESK, "get", "/nowhere", 404, "anonymous"),
])
def test_each_request_leaves_one_access_line_with_the_callers_role(
    client: TestClient, case: tuple[str, str | None, str, str, int, str]
) -> None:
    _, token, method, path, status, role = case
    with capture_logs() as logs:
        client.request(method, path, headers=_bearer(token) if token else {})
    (line,) = _access(logs)
    assert (line["method"], line["path"], line["status"], line["role"]) == (
        method.upper(), path, status, role)
    assert line["duration_ms"] == 0.0  # the fixed clock did not move
    assert line["client"] == "testclient"


def test_429s_leave_a_trace_in_the_access_log(client: TestClient) -> None:
    with capture_logs() as logs:
        for _ in range(2):
            client.post("/complaints", headers=_bearer(KIOSK), json={"name": "Li"})
        for _ in range(FORGED_BURST + 1):
            client.get("/desk", headers=_bearer(FORGED))
    answers = [(e["status"], e["role"]) for e in _access(logs)]
    assert answers[:2] == [(201, "kiosk"), (429, "kiosk")]
    assert answers[-1] == (429, "unknown-token")


def test_the_duration_is_read_from_the_injected_clock(tmp_path: Path) -> None:
    stepping = SteppingClock()
    with _app(tmp_path, stepping) as test_client, capture_logs() as logs:
        test_client.get("/open")
    (line,) = _access(logs)
    assert line["duration_ms"] == 250.0  # two readings, a quarter second apart


def test_the_rendered_access_line_has_no_token_phone_or_query(
    client: TestClient, capsys: pytest.CaptureFixture[str], restored_logging: None
) -> None:
    configure_logging("intake")
    capsys.readouterr()
    client.get("/desk", params={"phone": "13800138000"}, headers=_bearer())
    client.get("/desk", headers=_bearer(FORGED))
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    lines = [line for line in lines if line.get("logger") != "httpx"]  # the test's client
    access = [line for line in lines if line["event"] == "http.request"]
    assert [line["status"] for line in access] == [200, 401]
    assert all(line["path"] == "/desk" for line in access)
    text = json.dumps(lines)
    for secret in (DESK, FORGED, "13800138000", "138****8000", "phone="):
        assert secret not in text, secret


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging changes process-wide state; put it back for other tests."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level
    logging.captureWarnings(False)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


# --------------------------------------------------------------------------- text rules


def _pattern(text_type: Any) -> str:
    return str(TypeAdapter(text_type).json_schema()["pattern"])


@pytest.mark.parametrize("text_type", [ShortText, LongText])
@pytest.mark.parametrize("value", ["Li", "  Li ", "荔园 一期", " ", "   ", "\u3000", "",
                                   "a\x00b", "\x01", "x\ty"])
def test_the_schema_pattern_says_what_validation_does(text_type: Any, value: str) -> None:
    try:
        TypeAdapter(text_type).validate_python(value)
        accepted = True
    except ValidationError:
        accepted = False
    assert bool(re.fullmatch(_pattern(text_type), value)) == accepted, value


def test_a_field_of_only_whitespace_is_refused_by_name(client: TestClient) -> None:
    response = client.post("/complaints", headers=_bearer(), json={"name": " \t "})
    assert response.status_code == 422
    assert list(_error(response)["fields"]) == ["name"]


# --------------------------------------------------------------------------- no banner


def test_the_server_names_no_software_in_its_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from shared.app import bootstrap

    configs: list[uvicorn.Config] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda server: configs.append(server.config))
    context = SimpleNamespace(name="intake",
                              settings=SimpleNamespace(complaints_host="127.0.0.1"))
    bootstrap.serve(context, object(), 8081, [])  # type: ignore[arg-type]
    (config,) = configs
    assert config.server_header is False
