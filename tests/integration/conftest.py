"""Fixtures the integration tests share: a migrated store on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.eventstore.migrate import upgrade
from shared.eventstore.store import EventStore
from tests.integration.support import free_udp_port


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
