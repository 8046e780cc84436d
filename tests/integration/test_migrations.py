"""The Alembic migrations against the code's table definitions, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from shared.domain.events import ComplaintEscalated
from shared.events import Metadata, new_envelope
from shared.eventstore.engines import make_engine
from shared.eventstore.migrate import alembic_config, upgrade
from shared.eventstore.schema import events, metadata, projection_positions
from shared.eventstore.store import EventStore
from tests.unit.given import registered

NOW = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)
# The newest revision in shared/eventstore/migrations/versions.
HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def differences(engine: sa.Engine, **opts: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts=opts), metadata))


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def table_names(engine: sa.Engine) -> list[str]:
    return sorted(sa.inspect(engine).get_table_names())


def positions_rows(engine: sa.Engine) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        query = sa.select(projection_positions.c.name, projection_positions.c.position)
        return sorted((name, int(position)) for name, position in conn.execute(query))


def append_one(engine: sa.Engine) -> None:
    event = registered(complaint_id="0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a01")
    stream = "complaint-0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a01"
    EventStore(engine).append(stream, [new_envelope(stream, 1, event, NOW, Metadata())], 0)


def assert_events_are_append_only(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.update(events).values(type="tampered"))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.delete(events))


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_the_upgraded_schema_matches_the_code_s_table_definitions(
    database_url: str, engine: sa.Engine
) -> None:
    upgrade(database_url)

    assert current_revision(engine) == HEAD
    assert table_names(engine) == sorted([*metadata.tables, "alembic_version"])
    assert differences(engine) == []  # tables, columns, types, nullability, keys, indexes
    with_defaults = differences(engine, compare_type=True, compare_server_default=True)
    if engine.dialect.name == "sqlite":
        # SQLite has no identity columns: ``Identity()`` on events.position is rendered as
        # INTEGER PRIMARY KEY AUTOINCREMENT, which reflection cannot report as an Identity.
        [[(kind, _, table, column, _, _, default)]] = with_defaults
        assert (kind, table, column, type(default)) == (
            "modify_default", "events", "position", sa.Identity)
    else:
        assert with_defaults == []
    assert positions_rows(engine) == [("board", 0), ("fees", 0), ("monthly", 0)]


def test_upgrading_an_upgraded_database_again_changes_nothing(
    database_url: str, engine: sa.Engine
) -> None:
    upgrade(database_url)
    append_one(engine)
    before = {name: sa.inspect(engine).get_columns(name) for name in table_names(engine)}

    upgrade(database_url)

    assert current_revision(engine) == HEAD
    after = {name: sa.inspect(engine).get_columns(name) for name in table_names(engine)}
    assert repr(after) == repr(before)
    assert positions_rows(engine) == [("board", 0), ("fees", 0), ("monthly", 0)]  # not seeded twice
    assert len(EventStore(engine).read_all()) == 1
    assert differences(engine) == []


def test_downgrading_to_base_and_upgrading_again_gives_the_same_working_schema(
    database_url: str, engine: sa.Engine
) -> None:
    upgrade(database_url)
    append_one(engine)  # a populated store still downgrades: dropping a table is no DELETE

    command.downgrade(alembic_config(database_url), "base")

    assert current_revision(engine) is None
    assert table_names(engine) == ["alembic_version"]
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            leftover = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE p.proname = 'events_append_only' AND n.nspname = current_schema()"
            ).scalar_one()
        assert leftover == 0

    upgrade(database_url)

    assert current_revision(engine) == HEAD
    assert differences(engine) == []
    assert positions_rows(engine) == [("board", 0), ("fees", 0), ("monthly", 0)]
    append_one(engine)
    assert_events_are_append_only(engine)


def test_stepping_down_one_revision_and_back_up_works(
    database_url: str, engine: sa.Engine
) -> None:
    upgrade(database_url)
    append_one(engine)

    command.downgrade(alembic_config(database_url), "0001")

    assert current_revision(engine) == "0001"
    assert "board_orders" not in table_names(engine)
    assert positions_rows(engine) == []
    assert len(EventStore(engine).read_all()) == 1  # the store itself is untouched

    upgrade(database_url)

    assert differences(engine) == []
    assert positions_rows(engine) == [("board", 0), ("fees", 0), ("monthly", 0)]
    assert_events_are_append_only(engine)


# --- P-12 serious complaints: 0004_escalation marks the orders already on the board


def test_the_escalation_column_marks_orders_escalated_before_it_existed(
    database_url: str, engine: sa.Engine
) -> None:
    # given: a board at 0003 with two orders, one of them escalated in the store
    command.upgrade(alembic_config(database_url), "0003")
    ids = ["0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a01", "0b9f6a52-5c1e-4a4e-9d1c-2f1f3c0f4a02"]
    serious = f"complaint-{ids[0]}"
    EventStore(engine).append(serious, [
        new_envelope(serious, 1, registered(complaint_id=ids[0], severity="serious"), NOW,
                     Metadata()),
        new_envelope(serious, 2, ComplaintEscalated(reason="P-12", department="security"), NOW,
                     Metadata()),
    ], 0)
    with engine.begin() as conn:
        for complaint_id in ids:
            conn.execute(sa.text(
                "INSERT INTO board_orders (complaint_id, community, unit, description, status,"
                " registered_at) VALUES (:id, '荔园一期', '3-1502', '…', 'dispatched', :at)"),
                {"id": complaint_id, "at": NOW.replace(tzinfo=None)})
    # when (0008_chasing later empties the board for a replay: stop at this revision)
    command.upgrade(alembic_config(database_url), "0004_escalation")
    # then
    with engine.connect() as conn:
        query = sa.text("SELECT complaint_id, escalated FROM board_orders")
        marked = dict(conn.execute(query).all())
    assert {k: bool(v) for k, v in marked.items()} == {ids[0]: True, ids[1]: False}
