"""Each service's ``/docs`` page, rendered by a real browser with no internet.

Headless Chromium loads the page from the running system; Swagger UI must
render every operation of the service's OpenAPI document from local files
(no CDN). Needs Debian's ``chromium`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.support import System, running_system

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As the machine notes advise: no background networking (the network is closed anyway).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=15000", "--dump-dom"]


@pytest.fixture(scope="module")
def sqlite_system(rabbitmq_url: str, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[System]:
    """One running system for the four pages (the store backend plays no part here)."""
    folder = tmp_path_factory.mktemp("docs")
    with running_system(f"sqlite:///{folder / 'c.db'}", rabbitmq_url, folder) as system:
        yield system


def rendered(url: str, profile: Path) -> str:
    assert CHROMIUM is not None
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", url],
                            capture_output=True, text=True, timeout=120)
    return result.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium: apt-get install chromium")
@pytest.mark.parametrize("service", ["intake", "tracker", "reporting", "dispatcher"])
def test_the_docs_page_renders_every_operation_offline(
    sqlite_system: System, service: str, tmp_path: Path
) -> None:
    document = httpx.get(sqlite_system.url(service, "/openapi.json"), timeout=10).json()
    operations = sum(len(methods) for methods in document["paths"].values())
    dom = rendered(sqlite_system.url(service, "/docs"), tmp_path / "profile")
    assert "Unable to render this definition" not in dom
    assert dom.count('class="opblock-summary-path"') == operations, json.dumps(
        list(document["paths"]))
    assert "cdn" not in dom.lower()
