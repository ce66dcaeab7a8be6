"""programmes: funding schemes spanning communities, and the monitors who follow them

A programme funds several communities; a user with the role `monitor` follows one or more
programmes and reads their communities' figures, never a person.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-07 18:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import service.domain.columns

revision = "0010"
# Other branches add 0007–0009 at the same time; at the merge this points at the last of them.
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("funder", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("runs_from", sa.Date(), nullable=True),
        sa.Column("runs_until", sa.Date(), nullable=True),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "programme_community",
        sa.Column("programme_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("community_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("programme_id", "community_id"),
    )
    op.create_index("ix_programme_community_community_id", "programme_community", ["community_id"])
    op.create_table(
        "programme_monitor",
        sa.Column("programme_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("programme_id", "user_id"),
    )
    op.create_index("ix_programme_monitor_user_id", "programme_monitor", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_programme_monitor_user_id", table_name="programme_monitor")
    op.drop_table("programme_monitor")
    op.drop_index("ix_programme_community_community_id", table_name="programme_community")
    op.drop_table("programme_community")
    op.drop_table("programme")
