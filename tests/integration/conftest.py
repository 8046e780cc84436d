"""Fixtures the integration tests share: a migrated store on each backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.app.clock import FixedClock
from shared.eventstore.memory import InMemoryEventStore
from shared.eventstore.migrate import upgrade
from shared.eventstore.store import EventStore
from tests.conftest import BACKENDS, backend_params, make_database_url
from tests.integration.support import free_udp_port

# The contract suite runs over the in-memory store as well as the SQL backends.
STORE_BACKENDS = ["memory", *BACKENDS]

AnyStore = EventStore | InMemoryEventStore


@pytest.fixture
def wake_port() -> int:
    """A loopback UDP port of this test's own for the relay's commit nudge (SQLite)."""
    return free_udp_port()


@pytest.fixture
def store(database_url: str, wake_port: int) -> Iterator[EventStore]:
    """An empty, migrated event store (SQLite file or fresh PostgreSQL schema)."""
    upgrade(database_url)
    store = EventStore.from_url(database_url, wake_port=wake_port)
    yield store
    store.engine.dispose()


@pytest.fixture
def store_clock() -> FixedClock:
    """The clock :func:`any_store` stamps ``recorded_at`` with; tests move it."""
    return FixedClock(datetime(2026, 11, 29, 8, 0, tzinfo=UTC))


@pytest.fixture(params=backend_params(STORE_BACKENDS))
def any_store(
    request: pytest.FixtureRequest, tmp_path: Path, wake_port: int, store_clock: FixedClock
) -> Iterator[AnyStore]:
    """An empty store on each backend, the in-memory one included, on ``store_clock``."""
    if request.param == "memory":
        yield InMemoryEventStore(clock=store_clock.now)
        return
    database_url = make_database_url(request.param, tmp_path, request)
    upgrade(database_url)
    sql_store = EventStore.from_url(database_url, wake_port=wake_port, clock=store_clock.now)
    yield sql_store
    sql_store.engine.dispose()
