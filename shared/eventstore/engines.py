"""Engines for both backends, with the settings an event store needs.

SQLite (embedded default): WAL, ``synchronous=FULL`` so an acknowledged
complaint survives a power cut, a busy timeout, and ``BEGIN IMMEDIATE`` for
write transactions so two writers never deadlock upgrading a read lock.
The file holds customers' names and phone numbers, so it is the owner's
alone (0600), whatever the umask, like the tokens file; SQLite gives its
``-wal`` and ``-shm`` files the database file's mode.
PostgreSQL (production): psycopg 3, pre-ping.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

_WRITE = "complaints_write"
PRIVATE = 0o600


def make_engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            make_private_file(Path(parsed.database))
        engine = sa.create_engine(
            parsed, connect_args={"check_same_thread": False, "timeout": 30}
        )
        _prepare_sqlite(engine)
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=5)


def make_private_file(path: Path) -> None:
    """Create the database file readable by its owner only, or tighten one that exists.

    SQLite treats an empty file as an empty database, and creates ``-wal`` and
    ``-shm`` with the database file's mode, so setting it here covers all three.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE)
    except FileExistsError:
        pass
    else:
        os.fchmod(fd, PRIVATE)  # whatever the umask
        os.close(fd)
    for member in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = member.stat()
        except FileNotFoundError:
            continue
        # Files from before this rule (or made under a loose umask) are tightened;
        # someone else's file is theirs to mind.
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            os.chmod(member, PRIVATE)


def _prepare_sqlite(engine: sa.Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so we can say BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: sa.Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_postgres(engine: sa.Engine | sa.Connection) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that will write: takes SQLite's write lock up front."""
    with engine.connect() as conn:
        conn = conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn
