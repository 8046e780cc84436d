"""P-13 referral: when the commitment clock stopped, on the board and in the monthly facts.

Nullable columns: rows written before hold no referral, which is what NULL says.

Revision ID: 0007_referral
Revises: 0006_search_calls
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.eventstore.schema import UTCDateTime

revision = "0007_referral"
down_revision = "0006_search_calls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("board_orders") as board:
        board.add_column(sa.Column("clock_stopped_since", UTCDateTime))
    with op.batch_alter_table("monthly_complaints") as monthly:
        monthly.add_column(sa.Column("clock_stopped_since", UTCDateTime))
        monthly.add_column(sa.Column("first_referred_at", UTCDateTime))


def downgrade() -> None:
    with op.batch_alter_table("monthly_complaints") as monthly:
        monthly.drop_column("first_referred_at")
        monthly.drop_column("clock_stopped_since")
    with op.batch_alter_table("board_orders") as board:
        board.drop_column("clock_stopped_since")
