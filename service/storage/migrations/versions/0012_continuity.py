"""continuity: themes that hold challenges over the years, follow-ups and hand-overs

A theme is a community's research line with its research group. A challenge may belong to a
theme and continue an earlier one (`follows_id`), carrying its supervisor and what its team
left open; a team's hand-over (done, open, links) is kept per challenge.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 20:55:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import service.domain.columns

revision = "0012"
# Other branches add 0011 at the same time; at the merge this points at the last of them.
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "theme",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("research_group_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("community_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_theme_community_id", "theme", ["community_id"])
    op.create_table(
        "handover",
        sa.Column("done", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("open", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("challenge_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("updated_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("challenge_id"),
    )
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("theme_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("follows_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("supervisor_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "handover_open",
                sqlmodel.sql.sqltypes.AutoString(length=5000),
                nullable=False,
                server_default="",
            )
        )
        batch_op.create_index("ix_challenge_theme_id", ["theme_id"])
        batch_op.create_index("ix_challenge_follows_id", ["follows_id"])


def downgrade() -> None:
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.drop_index("ix_challenge_follows_id")
        batch_op.drop_index("ix_challenge_theme_id")
        batch_op.drop_column("handover_open")
        batch_op.drop_column("supervisor_id")
        batch_op.drop_column("follows_id")
        batch_op.drop_column("theme_id")
    op.drop_table("handover")
    op.drop_index("ix_theme_community_id", table_name="theme")
    op.drop_table("theme")
