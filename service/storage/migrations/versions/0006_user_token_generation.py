"""user.token_generation: login tokens that end on the server

Every token carries the generation of its user; logging out and changing the password move it
on, so that every token made before stops working at once.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 14:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("token_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("token_generation")
