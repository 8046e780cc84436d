"""P-8 fee bill: the fee_lines projection.

Revision ID: 0005_fees_analysis
Revises: 0004_escalation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from shared.eventstore.schema import UTCDateTime

revision = "0005_fees_analysis"
down_revision = "0004_escalation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fee_lines",
        sa.Column("complaint_id", sa.String(36), primary_key=True),
        sa.Column("community", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("completed_at", UTCDateTime, nullable=False),
        sa.Column("items", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("amount", sa.String(20), nullable=False),
    )
    positions = sa.table("projection_positions", sa.column("name"), sa.column("position"))
    op.bulk_insert(positions, [{"name": "fees", "position": 0}])


def downgrade() -> None:
    op.execute("DELETE FROM projection_positions WHERE name = 'fees'")
    op.drop_table("fee_lines")
