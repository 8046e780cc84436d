"""Projections of intake: the complaint index (GET /complaints) and the call list (P-4).

Revision ID: 0006_search_calls
Revises: 0005_fees_analysis
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.eventstore.schema import UTCDateTime

revision = "0006_search_calls"
down_revision = "0005_fees_analysis"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "complaint_index",
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
    op.create_table(
        "calls",
        sa.Column("received_at", UTCDateTime, primary_key=True),
        sa.Column("call_id", sa.String(36), primary_key=True),
        sa.Column("caller", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(200), nullable=False),
        sa.Column("received_by", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("complaint_id", sa.String(36)),
        sa.Column("recorded_by", sa.String(200)),
    )


def downgrade() -> None:
    # A projection's position goes with its table: a later upgrade rebuilds it from 0.
    op.execute("DELETE FROM projection_positions WHERE name IN ('complaint_index', 'calls')")
    op.drop_table("calls")
    op.drop_table("complaint_index")
