"""``/healthz`` never answers 500 (shared/http/health.py): a dependency away, or a check that
fails, is 503 with a body saying which; the relay's reports the outbox's backlog."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

import shared.http.health as health_module
from services.relay.app import create_relay_app
from shared.app.bootstrap import ServiceContext
from shared.app.clock import FixedClock
from shared.app.settings import Settings
from shared.events import Envelope
from shared.http.health import Health

NOW = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)


class FakeStore:
    """A store whose answers (or failures) the test sets."""

    def __init__(self, *, ping: bool | Exception = True, waiting: list[datetime] | None = None,
                 outbox_error: Exception | None = None) -> None:
        self._ping, self.waiting, self.outbox_error = ping, waiting or [], outbox_error

    def ping(self) -> bool:
        if isinstance(self._ping, Exception):
            raise self._ping
        return self._ping

    def outbox_size(self) -> int:
        if self.outbox_error:
            raise self.outbox_error
        return len(self.waiting)

    def outbox_batch(self, limit: int = 500) -> list[Envelope]:
        if self.outbox_error:
            raise self.outbox_error
        return [Envelope(event_id=uuid.uuid4(), stream_id="complaint-1", version=1,
                         type="complaint.registered", schema_version=1, occurred_at=at,
                         recorded_at=at, payload={}, position=i)
                for i, at in enumerate(sorted(self.waiting)[:limit], start=1)]


def context(name: str, store: FakeStore) -> ServiceContext:
    settings = Settings(rabbitmq_url="amqp://guest:guest@127.0.0.1:1/%2F")
    return cast(ServiceContext, SimpleNamespace(name=name, settings=settings, store=store,
                                                clock=FixedClock(NOW)))


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The broker check's answer: ``{"up": bool}``, or ``{"raises": exc}``."""
    state: dict[str, Any] = {"up": True}

    def reachable(_url: str, timeout: float = 2.0) -> bool:
        if "raises" in state:
            raise state["raises"]
        return bool(state["up"])

    monkeypatch.setattr(health_module, "broker_reachable", reachable)
    return state


def test_a_store_check_that_raises_is_a_store_away_so_503(broker: dict[str, Any]) -> None:
    status, body = Health(context("intake", FakeStore(ping=RuntimeError("boom")))).report()
    assert (status, body["status"], body["store"]) == (503, "unavailable", False)


def test_a_broker_check_that_raises_is_a_broker_away(broker: dict[str, Any]) -> None:
    # As a frozen broker's AMQPConnectorStackTimeout did, before broker_reachable caught it.
    broker["raises"] = TimeoutError("stack timeout")
    assert Health(context("dispatcher", FakeStore()), needs_broker=True).report()[0] == 503
    status, body = Health(context("intake", FakeStore())).report()
    assert (status, body["broker"]) == (200, False)  # intake needs only its store


def test_the_relay_reports_an_empty_outbox_as_healthy(broker: dict[str, Any]) -> None:
    status, body = Health(context("relay", FakeStore()), needs_broker=True,
                          outbox_stale_after=60).report()
    assert status == 200
    assert body == {"service": "relay", "status": "ok", "store": True, "broker": True,
                    "outbox_stale_after_seconds": 60, "outbox_rows": 0,
                    "oldest_outbox_age_seconds": None}


def test_the_relay_is_healthy_while_its_oldest_row_is_young_and_503_once_it_is_stale(
    broker: dict[str, Any],
) -> None:
    young = FakeStore(waiting=[NOW - timedelta(seconds=5), NOW - timedelta(seconds=30)])
    status, body = Health(context("relay", young), needs_broker=True,
                          outbox_stale_after=60).report()
    assert (status, body["outbox_rows"], body["oldest_outbox_age_seconds"]) == (200, 2, 30.0)

    stale = FakeStore(waiting=[NOW - timedelta(seconds=61), NOW])
    status, body = Health(context("relay", stale), needs_broker=True,
                          outbox_stale_after=60).report()
    assert (status, body["status"], body["oldest_outbox_age_seconds"]) == (
        503, "unavailable", 61.0)


def test_the_relay_is_503_while_the_broker_is_away_even_with_an_empty_outbox(
    broker: dict[str, Any],
) -> None:
    broker["up"] = False
    status, body = Health(context("relay", FakeStore()), needs_broker=True,
                          outbox_stale_after=60).report()
    assert (status, body["broker"]) == (503, False)


def test_the_relays_healthz_is_503_not_500_when_every_check_fails(
    broker: dict[str, Any],
) -> None:
    broker["raises"] = ValueError("Timeout closed before call")
    store = FakeStore(ping=OSError("disk gone"), outbox_error=OSError("disk gone"))
    with TestClient(create_relay_app(context("relay", store)),
                    raise_server_exceptions=False) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["service"] == "relay"
    assert response.json()["store"] is False


def test_a_report_that_fails_in_an_unforeseen_way_is_still_503(
    broker: dict[str, Any],
) -> None:
    health = Health(context("relay", FakeStore(waiting=[NOW])), outbox_stale_after=60)
    health.context.clock = None  # type: ignore[assignment]  # now() raises AttributeError
    status, body = health.report()
    assert (status, body["status"]) == (503, "unavailable")
