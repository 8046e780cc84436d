"""Table definitions (SQLAlchemy Core), one MetaData for the whole database.

The schema itself is created and migrated by Alembic (``shared/eventstore/migrations``);
these objects are what the code queries. Keep them in step with the newest
migration: ``tests/integration/test_migrations.py`` compares the two.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData()

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[Any]):
    """An aware UTC timestamp on both backends (SQLite keeps no offset of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        from datetime import UTC

        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        from datetime import UTC

        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# ---------------------------------------------------------------- the event store

events = sa.Table(
    "events",
    metadata,
    # The global order every reader follows. Appends are serialised, so
    # positions become visible in number order (see store.py).
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
              sa.Identity(), primary_key=True),
    sa.Column("event_id", sa.String(36), nullable=False, unique=True),
    sa.Column("stream_id", sa.String(100), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("type", sa.String(100), nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("occurred_at", UTCDateTime, nullable=False),
    sa.Column("recorded_at", UTCDateTime, nullable=False),
    sa.Column("payload", JSONType, nullable=False),
    sa.Column("metadata", JSONType, nullable=False),
    sa.UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
    sa.Index("ix_events_type", "type"),
    sqlite_autoincrement=True,
)

# Rows waiting for the relay: written in the same transaction as their events.
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
              primary_key=True, autoincrement=False),
)

# Consumers record each event id they acted on, in the transaction of their effect.
processed_messages = sa.Table(
    "processed_messages",
    metadata,
    sa.Column("consumer", sa.String(50), primary_key=True),
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("processed_at", UTCDateTime, nullable=False),
)

# A kiosk retrying a POST with the same Idempotency-Key gets the first answer.
idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("token_id", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("response", JSONType, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

# Each projection's last applied position, written with its rows.
projection_positions = sa.Table(
    "projection_positions",
    metadata,
    sa.Column("name", sa.String(50), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)


# ---------------------------------------------------------------- projections
# Derived from the events; ``complaints rebuild`` replays them from scratch.
# No secondary indexes: a rebuild copies these tables under a new name, and
# index names would collide on PostgreSQL.

# The open-order board (tracker): one row per complaint; listed from dispatch on.
board_orders = sa.Table(
    "board_orders",
    metadata,
    sa.Column("complaint_id", sa.String(36), primary_key=True),
    sa.Column("community", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(200), nullable=False),
    sa.Column("category", sa.String(100)),
    sa.Column("department", sa.String(50)),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("team", sa.String(200)),
    sa.Column("registered_at", UTCDateTime, nullable=False),
    sa.Column("dispatched_at", UTCDateTime),
    sa.Column("due_at", UTCDateTime),
    sa.Column("completed_at", UTCDateTime),
    # --- P-12 serious complaints: the order was escalated to leadership
    sa.Column("escalated", sa.Boolean, nullable=False, default=False,
              server_default=sa.false()),
    # --- P-13 referral: the open referral's start, when the clock stopped (else NULL) ---
    sa.Column("clock_stopped_since", UTCDateTime),
    # --- P-9 B warnings and chases (migration 0008_chasing)
    sa.Column("warned", sa.Boolean, nullable=False, default=False),
    sa.Column("chase_count", sa.Integer, nullable=False, default=0),
    sa.Column("last_chase_number", sa.Integer, nullable=False, default=0),
    sa.Column("last_customer_contact", UTCDateTime),
)

# Monthly statistics (reporting): each complaint's facts; timely, late and
# pending are judged when the report is read, against that moment.
monthly_complaints = sa.Table(
    "monthly_complaints",
    metadata,
    sa.Column("complaint_id", sa.String(36), primary_key=True),
    sa.Column("registered_at", UTCDateTime, nullable=False),
    sa.Column("community", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("given_category", sa.String(100)),
    sa.Column("category", sa.String(100)),
    sa.Column("department", sa.String(50)),
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("dispatched_at", UTCDateTime),
    sa.Column("due_at", UTCDateTime),
    sa.Column("completed_at", UTCDateTime),
    sa.Column("quality", sa.Integer),
    sa.Column("attitude", sa.Integer),
    sa.Column("escalated", sa.Boolean, nullable=False, default=False),
    # --- P-13 referral: when the clock stopped (an open referral), and the first referral ---
    sa.Column("clock_stopped_since", UTCDateTime),
    sa.Column("first_referred_at", UTCDateTime),
    # --- corrections (P-9): the department of each missed appointment, one entry per miss
    sa.Column("missed_appointments", JSONType),
)

# --- P-8 fee bill (reporting): one row per paid order whose quote was accepted,
# once its work is completed; the bill of a month lists those completed in it.
fee_lines = sa.Table(
    "fee_lines",
    metadata,
    sa.Column("complaint_id", sa.String(36), primary_key=True),
    sa.Column("community", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(200), nullable=False),
    sa.Column("completed_at", UTCDateTime, nullable=False),
    sa.Column("items", JSONType, nullable=False),
    sa.Column("amount", sa.String(20), nullable=False),
)


# --- GET /complaints search and P-4 call records (intake) ---

# Finding complaints (intake): one row per complaint in every status, registration onwards.
# The phone is kept as given and as its digits, with the last four apart, so a search by
# the full number or by its last four digits is an equality test.
complaint_index = sa.Table(
    "complaint_index",
    metadata,
    sa.Column("complaint_id", sa.String(36), primary_key=True),
    sa.Column("registered_at", UTCDateTime, nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("community", sa.String(200), nullable=False),
    sa.Column("unit", sa.String(200), nullable=False),
    sa.Column("customer_name", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(200), nullable=False),
    sa.Column("phone_digits", sa.String(40), nullable=False),
    sa.Column("phone_last4", sa.String(4), nullable=False),
    sa.Column("category", sa.String(100)),
    sa.Column("department", sa.String(50)),
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("severity", sa.String(20), nullable=False),
    sa.Column("dispatched_at", UTCDateTime),
    sa.Column("due_at", UTCDateTime),
    sa.Column("completed_at", UTCDateTime),
)

# The call record (P-4, form 7.2), one row per call. The primary key leads with the
# time, so one day's calls are a range of the key's own index (no secondary index).
calls = sa.Table(
    "calls",
    metadata,
    sa.Column("received_at", UTCDateTime, primary_key=True),
    sa.Column("call_id", sa.String(36), primary_key=True),
    sa.Column("caller", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(200), nullable=False),
    sa.Column("received_by", sa.String(200), nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("complaint_id", sa.String(36)),
    sa.Column("recorded_by", sa.String(200)),
)
