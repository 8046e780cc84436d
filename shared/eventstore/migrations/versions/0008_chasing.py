"""P-9 B on the board: warned, the chases made, the last contact with the customer.

The board is a projection: its rows are emptied and its position set back to
0, so it is rebuilt from the events with the new columns filled (no guessed
defaults for rows written before the columns existed).

Revision ID: 0008_chasing
Revises: 0007_referral
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.eventstore.schema import UTCDateTime

revision = "0008_chasing"
down_revision = "0007_referral"
branch_labels = None
depends_on = None

COLUMNS = ("warned", "chase_count", "last_chase_number", "last_customer_contact")


def _replay_the_board() -> None:
    op.execute("DELETE FROM board_orders")
    op.execute("UPDATE projection_positions SET position = 0 WHERE name = 'board'")


def upgrade() -> None:
    _replay_the_board()
    # Batch mode recreates the table on SQLite, which cannot add a NOT NULL column by ALTER.
    with op.batch_alter_table("board_orders", recreate="always") as batch:
        batch.add_column(sa.Column("warned", sa.Boolean, nullable=False))
        batch.add_column(sa.Column("chase_count", sa.Integer, nullable=False))
        batch.add_column(sa.Column("last_chase_number", sa.Integer, nullable=False))
        batch.add_column(sa.Column("last_customer_contact", UTCDateTime))


def downgrade() -> None:
    _replay_the_board()
    with op.batch_alter_table("board_orders", recreate="always") as batch:
        for column in COLUMNS:
            batch.drop_column(column)
