"""Which store a command uses, and opening one that must already exist.

``run`` and ``migrate`` create or upgrade the store DATABASE_URL names;
the commands that only read it (``report``, ``rebuild``) never do: a
missing SQLite file, a missing database or a database without the schema is
a :class:`~shared.cli.checks.CommandError` naming the store and what to do,
so that a command run from the wrong folder cannot quietly report on a new,
empty store.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import sqlalchemy as sa

from shared.cli.checks import CommandError, database_errors, safe_url
from shared.eventstore.store import EventStore


def say_store(database_url: str) -> None:
    """Tell the operator which store this command uses (stderr: stdout may be a report)."""
    origin = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "the default; DATABASE_URL unset"
    print(f"store: {safe_url(database_url)} ({origin})", file=sys.stderr, flush=True)


def migrate(database_url: str) -> None:
    """Create or upgrade the schema; a failed connection is one line."""
    from shared.eventstore.migrate import upgrade

    with database_errors(database_url):
        upgrade(database_url)


def open_existing_store(database_url: str) -> EventStore:
    """The store at ``database_url``, refusing one that is missing or has no current schema."""
    url = sa.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _require_sqlite_file(url)
    store = EventStore.from_url(database_url)
    with database_errors(database_url), store.engine.connect() as conn:
        current = _schema_revision(conn)
    head = _head_revision(database_url)
    if current is None:
        raise CommandError(f"the store {safe_url(database_url)} has no schema yet; "
                           "run `complaints migrate` (or `complaints run`) first")
    if current != head:
        raise CommandError(f"the store {safe_url(database_url)} has schema {current}, this "
                           f"version needs {head}; run `complaints migrate` first")
    return store


def holds_no_complaints(store: EventStore) -> bool:
    from shared.eventstore.schema import events

    with store.engine.connect() as conn:
        return conn.execute(sa.select(events.c.position).limit(1)).first() is None


def _require_sqlite_file(url: sa.URL) -> None:
    if not url.database or url.database == ":memory:":
        raise CommandError("an in-memory SQLite store holds nothing to read; set DATABASE_URL "
                           "to the store `complaints run` uses")
    path = Path(url.database)
    if path.is_file():
        return
    if os.environ.get("DATABASE_URL"):
        hint = "check DATABASE_URL"
    else:
        hint = ("DATABASE_URL is unset, so the default, relative to this folder, was tried; "
                "run from the folder where `complaints run` ran, or set DATABASE_URL")
    raise CommandError(f"no store at {path.resolve()}; {hint}")


def _schema_revision(conn: sa.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    if not sa.inspect(conn).has_table("events"):
        return None
    return MigrationContext.configure(conn).get_current_revision()


def _head_revision(database_url: str) -> str | None:
    from alembic.script import ScriptDirectory

    from shared.eventstore.migrate import alembic_config

    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
