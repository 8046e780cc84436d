"""The broker going away is routine: intake keeps registering (the outbox holds the
events), and when the broker is back every complaint flows on, nothing lost.

The broker is taken away by cutting a TCP relay in front of it: every open
connection drops (the services see the link die, as at a broker restart) and
new ones are refused until it returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.e2e.support import System, TcpProxy, running_system, wait_for

KIOSK = {"channel": "kiosk", "community": "荔园一期", "customer_name": "王五",
         "phone": "13900139000", "description": "小区路灯坏了"}


@pytest.fixture
def proxy(fresh_rabbitmq_url: str) -> Iterator[TcpProxy]:
    parts = urlsplit(fresh_rabbitmq_url)
    relay = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5672)
    relay.start()
    yield relay
    relay.stop()


@pytest.fixture
def system_behind_proxy(database_url: str, fresh_rabbitmq_url: str, proxy: TcpProxy,
                        tmp_path: Path) -> Iterator[System]:
    parts = urlsplit(fresh_rabbitmq_url)
    credentials = parts.netloc.rsplit("@", 1)[0]
    proxied = urlunsplit(parts._replace(netloc=f"{credentials}@127.0.0.1:{proxy.port}"))
    with running_system(database_url, proxied, tmp_path) as system:
        yield system


def register(system: System, unit: str) -> str:
    response = system.call("POST", "intake", "/complaints", "kiosk", {**KIOSK, "unit": unit})
    assert response.status_code == 201, response.text
    return str(response.json()["complaint_id"])


def status_of(system: System, complaint_id: str) -> str:
    return str(system.call("GET", "intake", f"/complaints/{complaint_id}", "desk")
               .json()["status"])


def test_complaints_registered_while_the_broker_is_away_flow_when_it_returns(
    system_behind_proxy: System, proxy: TcpProxy
) -> None:
    system = system_behind_proxy
    before = register(system, "1-1")
    wait_for("the first complaint dispatched", lambda: status_of(system, before) == "dispatched")

    proxy.stop()  # the broker goes away
    wait_for("intake to see the broker gone", lambda: httpx.get(
        system.url("intake", "/healthz"), timeout=5).json()["broker"] is False)
    health = httpx.get(system.url("intake", "/healthz"), timeout=5)
    assert health.status_code == 200  # intake needs only its store
    during = [register(system, f"2-{i}") for i in range(3)]
    assert {status_of(system, c) for c in during} == {"registered"}

    proxy.start()  # the broker is back
    wait_for("every complaint dispatched", lambda: all(
        status_of(system, c) == "dispatched" for c in [before, *during]), seconds=90)
    board = system.call("GET", "tracker", "/orders", "manager").json()
    assert sorted(o["complaint_id"] for o in board) == sorted([before, *during])
