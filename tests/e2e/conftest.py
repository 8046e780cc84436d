from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.support import System, running_system


@pytest.fixture
def system(database_url: str, fresh_rabbitmq_url: str, tmp_path: Path) -> Iterator[System]:
    """The whole system, started with ``complaints run`` as a user would."""
    with running_system(database_url, fresh_rabbitmq_url, tmp_path) as running:
        yield running
