"""``/healthz`` while the broker is frozen (``kill -STOP``): 503 or 200, never 500, and quickly.

A frozen broker still accepts TCP (the kernel does) but never answers the
AMQP handshake; pika then raises ``AMQPConnectorStackTimeout``, which is no
``AMQPError`` and used to escape the reachability check as a 500 on all four
services. The dispatcher cannot work without the broker (503); intake,
tracker and reporting serve from their store (200, broker false).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.faults.support import PrivateRabbit
from tests.integration.api_support import open_api
from tests.integration.support import wait_for

pytestmark = pytest.mark.broker

# The check gives the broker one second; the rest is slack for a loaded machine.
ANSWER_WITHIN_SECONDS = 10.0
EXPECTED_WHILE_FROZEN = {"intake": 200, "tracker": 200, "reporting": 200, "dispatcher": 503}


def test_healthz_answers_503_or_200_never_500_while_the_broker_is_frozen(
    private_rabbit: PrivateRabbit, tmp_path: Path
) -> None:
    database_url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_api(database_url, tmp_path, rabbitmq_url=private_rabbit.url) as api:
        private_rabbit.freeze()
        try:
            for service, expected in EXPECTED_WHILE_FROZEN.items():
                started = time.monotonic()
                response = api.clients[service].get("/healthz")
                took = time.monotonic() - started
                assert response.status_code == expected, (service, response.text)
                body = response.json()
                assert (body["store"], body["broker"]) == (True, False), service
                assert took < ANSWER_WITHIN_SECONDS, f"{service} took {took:.1f} s"
        finally:
            private_rabbit.thaw()

        # Thawed, the broker is seen again once the cached answer expires.
        assert wait_for(lambda: api.dispatcher.get("/healthz").status_code == 200, timeout=30)
