"""Projections: the open-order board and the monthly statistics.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.eventstore.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "board_orders",
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
    )
    op.create_table(
        "monthly_complaints",
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
        sa.Column("escalated", sa.Boolean, nullable=False),
    )
    positions = sa.table("projection_positions", sa.column("name"), sa.column("position"))
    op.bulk_insert(positions, [{"name": "board", "position": 0},
                               {"name": "monthly", "position": 0}])


def downgrade() -> None:
    op.execute("DELETE FROM projection_positions WHERE name IN ('board', 'monthly')")
    op.drop_table("monthly_complaints")
    op.drop_table("board_orders")
