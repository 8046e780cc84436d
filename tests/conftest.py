"""Shared fixtures: a real broker and real databases, each fresh for this test session.

- ``RABBITMQ_URL`` names a broker; this session gets its own vhost on it
  (created with ``rabbitmqctl`` or the management API, deleted at the end).
  Without it, testcontainers starts a RabbitMQ when Docker is there.
- ``DATABASE_URL`` (a ``postgresql+psycopg://`` URL) names a PostgreSQL server;
  this session gets its own database on it and every test its own schema.
  Without it, testcontainers starts a PostgreSQL when Docker is there.
- SQLite needs nothing: a file in the test's temporary folder.
- ``COMPLAINTS_TEST_BACKENDS`` (default ``sqlite,postgresql``) picks the
  store backends the parametrised tests run against.

``-m "not slow"`` is the quick round (under a minute): it leaves out what
costs seconds a test, marked ``slow`` here or at the test: the end-to-end
tests (whole processes), tests on a broker, the PostgreSQL variants (a schema
and its migrations each on a server), tests that race threads for seconds,
and each feature's HTTP tests (``test_api_<feature>.py``: a migrated store and
an app per test; ``test_api_common.py``, the contract every service keeps,
stays in). What stays runs on the in-memory store and SQLite, which keep one
contract with PostgreSQL (``tests/integration/test_store_contract.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import pytest

BACKENDS = [
    b.strip()
    for b in os.environ.get("COMPLAINTS_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if b.strip()
]

# Fixtures that reach the broker: their tests take seconds each.
BROKER_FIXTURES = frozenset({"rabbitmq_server_url", "rabbitmq_url", "fresh_rabbitmq_url"})
E2E = Path(__file__).parent / "e2e"
FAULTS = Path(__file__).parent / "faults"


def backend_params(backends: list[str]) -> list[object]:
    """The backends as fixture parameters, the server-backed ones marked ``slow``."""
    return [pytest.param(b, marks=pytest.mark.slow) if b == "postgresql" else b
            for b in backends]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        on_broker = fixtures & BROKER_FIXTURES or item.get_closest_marker("broker")
        feature_api = (item.path.name.startswith("test_api_")
                       and item.path.name != "test_api_common.py")
        if (item.path.is_relative_to(E2E) or item.path.is_relative_to(FAULTS) or on_broker
                or feature_api):
            item.add_marker(pytest.mark.slow)


HOW_TO_PROVIDE = (
    "set {var} (see README, 'Running the tests'), or install Docker so "
    "testcontainers can start one"
)


def _docker_available() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env().ping()
        return True
    except Exception:
        return False


# --------------------------------------------------------------------------- broker


def _vhost_url(base_url: str, vhost: str) -> str:
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path="/" + quote(vhost, safe="")))


def _manage_vhost(base_url: str, vhost: str, create: bool) -> None:
    """Create or delete a vhost with rabbitmqctl when local, else the management API."""
    parts = urlsplit(base_url)
    user = unquote(parts.username or "guest")
    ctl = shutil.which("rabbitmqctl")
    if ctl and parts.hostname in ("localhost", "127.0.0.1", "::1"):
        if create:
            subprocess.run([ctl, "-q", "add_vhost", vhost], check=True, capture_output=True)
            subprocess.run(
                [ctl, "-q", "set_permissions", "-p", vhost, user, ".*", ".*", ".*"],
                check=True,
                capture_output=True,
            )
        else:
            subprocess.run([ctl, "-q", "delete_vhost", vhost], check=False, capture_output=True)
        return
    import httpx

    api = f"http://{parts.hostname}:15672/api"
    auth = (user, unquote(parts.password or "guest"))
    name = quote(vhost, safe="")
    if create:
        httpx.put(f"{api}/vhosts/{name}", auth=auth).raise_for_status()
        httpx.put(
            f"{api}/permissions/{name}/{quote(user, safe='')}",
            auth=auth,
            json={"configure": ".*", "write": ".*", "read": ".*"},
        ).raise_for_status()
    else:
        httpx.delete(f"{api}/vhosts/{name}", auth=auth)


@pytest.fixture(scope="session")
def rabbitmq_server_url() -> Iterator[str]:
    url = os.environ.get("RABBITMQ_URL")
    if url:
        yield url
        return
    if not _docker_available():
        pytest.fail("no RabbitMQ: " + HOW_TO_PROVIDE.format(var="RABBITMQ_URL"))
    from testcontainers.rabbitmq import RabbitMqContainer

    with RabbitMqContainer("rabbitmq:3.10-management") as rabbit:
        host = rabbit.get_container_host_ip()
        port = rabbit.get_exposed_port(5672)
        yield f"amqp://guest:guest@{host}:{port}/%2F"


@contextmanager
def _own_vhost(server_url: str) -> Iterator[str]:
    vhost = f"complaints-test-{uuid.uuid4().hex[:10]}"
    _manage_vhost(server_url, vhost, create=True)
    try:
        yield _vhost_url(server_url, vhost)
    finally:
        _manage_vhost(server_url, vhost, create=False)


@pytest.fixture(scope="session")
def rabbitmq_url(rabbitmq_server_url: str) -> Iterator[str]:
    """A vhost of this test session's own on the shared broker."""
    with _own_vhost(rabbitmq_server_url) as url:
        yield url


@pytest.fixture
def fresh_rabbitmq_url(rabbitmq_server_url: str) -> Iterator[str]:
    """A vhost of this test's own, for tests that need an empty topology."""
    with _own_vhost(rabbitmq_server_url) as url:
        yield url


# --------------------------------------------------------------------------- databases


@pytest.fixture(scope="session")
def postgres_session_url() -> Iterator[str]:
    """A database of this test session's own on the PostgreSQL server."""
    import sqlalchemy as sa

    server = os.environ.get("DATABASE_URL", "")
    container = None
    if not server.startswith("postgresql"):
        if not _docker_available():
            pytest.fail(
                "no PostgreSQL: "
                + HOW_TO_PROVIDE.format(var="DATABASE_URL=postgresql+psycopg://…")
            )
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:16", driver="psycopg")
        container.start()
        server = container.get_connection_url()
    name = f"complaints_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    session_url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield session_url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
        if container is not None:
            container.stop()


def _fresh_schema_url(session_url: str) -> str:
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(session_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()
    url = sa.make_url(session_url)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def make_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'complaints.db'}"
    session_url = request.getfixturevalue("postgres_session_url")
    return _fresh_schema_url(session_url)


@pytest.fixture(params=backend_params(BACKENDS))
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (SQLite file, or a fresh PostgreSQL schema), per test and backend."""
    return make_database_url(request.param, tmp_path, request)
