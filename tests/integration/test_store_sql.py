"""What the SQL backends promise beyond the shared contract: the database itself guards
the events, SQLite's file survives a power cut and is its owner's alone."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
import sqlalchemy as sa

from shared.events import Event, Metadata, new_envelope, register
from shared.eventstore.engines import make_private_file
from shared.eventstore.migrate import upgrade
from shared.eventstore.schema import events
from shared.eventstore.store import EventStore

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@register
class SqlProbeHappened(Event):
    type: ClassVar[str] = "sqlprobe.happened"


def append_one(store: EventStore, stream_id: str = "s-1") -> None:
    store.append(stream_id, [new_envelope(stream_id, 1, SqlProbeHappened(), NOW, Metadata())], 0)


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(events).values(type="tampered"),
        sa.delete(events),
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_rewrite_or_remove_events(
    store: EventStore, statement: sa.Executable
) -> None:
    append_one(store)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(statement)
    assert store.read_stream("s-1")[0].type == "sqlprobe.happened"


def test_postgres_refuses_truncate_of_events(store: EventStore) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    append_one(store)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE events")
    assert len(store.read_stream("s-1")) == 1


def test_sqlite_commits_are_durable_through_a_power_cut(store: EventStore) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's durability is the server's (fsync on)")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_file_and_its_wal_are_the_owners_alone(tmp_path: Path) -> None:
    """It holds customers' phone numbers: 0600 under the usual umask, like the tokens file."""
    path = tmp_path / "data" / "complaints.db"
    old_umask = os.umask(0o022)
    try:
        upgrade(f"sqlite:///{path}")
        store = EventStore.from_url(f"sqlite:///{path}")
        append_one(store)
        with store.engine.connect() as conn:  # a reader keeps the -wal and -shm in place
            assert len(store.read_stream("s-1")) == 1
            members = [path, path.with_name("complaints.db-wal"),
                       path.with_name("complaints.db-shm")]
            assert {p.name: mode_of(p) for p in members} == {p.name: 0o600 for p in members}
            conn.rollback()
        store.engine.dispose()
    finally:
        os.umask(old_umask)


def test_an_existing_world_readable_store_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "complaints.db"
    wal = tmp_path / "complaints.db-wal"
    for member in (path, wal):
        member.touch()
        member.chmod(0o644)
    make_private_file(path)
    assert (mode_of(path), mode_of(wal)) == (0o600, 0o600)
