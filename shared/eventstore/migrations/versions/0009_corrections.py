"""Corrections (P-9): the monthly statistics count missed appointments.

``monthly_complaints.missed_appointments``: the department of each missed
appointment of the complaint. No stored event of that type predates this
revision, so existing rows are right as they are (NULL counts as none).

Revision ID: 0009_corrections
Revises: 0008_chasing
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009_corrections"
down_revision = "0008_chasing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("monthly_complaints",
                  sa.Column("missed_appointments", sa.JSON().with_variant(JSONB(), "postgresql")))


def downgrade() -> None:
    with op.batch_alter_table("monthly_complaints") as batch:
        batch.drop_column("missed_appointments")
