"""P-12: the board marks escalated orders (board_orders.escalated).

Rows already on the board are marked from the store: a complaint whose stream
holds a ``complaint.escalated`` event was escalated. Nothing else changes, so
the board needs no rebuild.

Revision ID: 0004_escalation
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_escalation"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("board_orders", sa.Column("escalated", sa.Boolean, nullable=False,
                                            server_default=sa.false()))
    op.execute("UPDATE board_orders SET escalated = TRUE WHERE 'complaint-' || complaint_id IN "
               "(SELECT stream_id FROM events WHERE type = 'complaint.escalated')")


def downgrade() -> None:
    with op.batch_alter_table("board_orders") as batch:
        batch.drop_column("escalated")
