"""mail claimed at: when a sender took a mail, so one left "sending" by a crash is retried

Revision ID: 0014
Revises: 0010 (the lead re-chains at the merge)
Create Date: 2026-12-07 21:10:00
"""

import sqlalchemy as sa
from alembic import op

import service.domain.columns

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_mail") as table:
        table.add_column(
            sa.Column("claimed_at", service.domain.columns.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_mail") as table:
        table.drop_column("claimed_at")
