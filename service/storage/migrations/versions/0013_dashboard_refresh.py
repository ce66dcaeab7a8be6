"""dashboard refresh: which challenges were ranked, and the fairness over a defined population

`challenge_ranking` records that a challenge's students were ranked (even when no candidate
came out), so the dashboard tells "not ranked yet" from "no good candidate"; the challenges
with stored student suggestions are taken as ranked. `dashboard_refresh` holds one
background refresh of a community's dashboard with its result: exposure per level and region
of every consenting student in the full ranking of every open challenge.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-07 21:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import service.domain.columns

revision = "0013"
# Other branches add migrations at the same time; at the merge this points at the last of them.
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "challenge_ranking",
        sa.Column("challenge_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ranked_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("candidates", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("challenge_id"),
    )
    # A database from before this revision: a challenge with stored student suggestions is
    # taken as ranked then (their origin was not kept), from its first suggestion's time.
    op.execute(
        "INSERT INTO challenge_ranking (challenge_id, ranked_at, candidates) "
        "SELECT challenge_id, MIN(created_at), COUNT(*) FROM suggestion "
        "WHERE target_kind = 'student' GROUP BY challenge_id"
    )
    op.create_table(
        "dashboard_refresh",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("community_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("started_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", service.domain.columns.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ranked", sa.Integer(), nullable=False),
        sa.Column("challenges", sa.Integer(), nullable=False),
        sa.Column("students", sa.Integer(), nullable=False),
        sa.Column("rankings", sa.Integer(), nullable=False),
        sa.Column("by_level", sa.JSON(), nullable=False),
        sa.Column("by_region", sa.JSON(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_dashboard_refresh_community_id", "dashboard_refresh", ["community_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_dashboard_refresh_community_id", table_name="dashboard_refresh")
    op.drop_table("dashboard_refresh")
    op.drop_table("challenge_ranking")
