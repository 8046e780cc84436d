"""Fixtures for the fault tests: a private RabbitMQ node each test may kill or freeze."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.support import PrivateRabbit


@pytest.fixture
def private_rabbit() -> Iterator[PrivateRabbit]:
    """A running private node, removed (killed, data deleted) after the test."""
    node = PrivateRabbit()
    try:
        node.start()
        yield node
    finally:
        node.remove()
