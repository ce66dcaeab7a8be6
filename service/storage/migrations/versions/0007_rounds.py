"""rounds and teachers: a community's staffing of its open challenges for one period

Teachers (docenten) supervise teams, with a capacity; a round holds its challenges with their
team rules, its eligible students with their preferences, its pins and forbids, and the latest
proposal (JSON).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 17:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import service.domain.columns

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teacher",
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("institution", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("programme", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("expertise", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("supervision_capacity", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "round",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("period_label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("time_limit_s", sa.Float(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("community_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("proposal", sa.JSON(), nullable=True),
        sa.Column("created_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("committed_at", service.domain.columns.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_community_id"), ["community_id"], unique=False)

    op.create_table(
        "round_challenge",
        sa.Column("team_min", sa.Integer(), nullable=False),
        sa.Column("team_max", sa.Integer(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("min_programmes", sa.Integer(), nullable=False),
        sa.Column("required_skills", sa.JSON(), nullable=False),
        sa.Column("round_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("challenge_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("sme_marks", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["challenge_id"], ["challenge.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "challenge_id"),
    )
    op.create_table(
        "round_pair",
        sa.Column("challenge_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("student_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("supervisor_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("round_pair", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_round_pair_round_id"), ["round_id"], unique=False)

    op.create_table(
        "round_student",
        sa.Column("round_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("student_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("preferences", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["student_id"], ["student_profile.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "student_id"),
    )


def downgrade() -> None:
    op.drop_table("round_student")
    with op.batch_alter_table("round_pair", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_pair_round_id"))

    op.drop_table("round_pair")
    op.drop_table("round_challenge")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_round_community_id"))

    op.drop_table("round")
    op.drop_table("teacher")
