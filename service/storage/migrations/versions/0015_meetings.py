"""meetings: an intermediary's meeting on a theme, its invitations, and the mail's meeting

Revision ID: 0015
Revises: 0014 (the lead re-chains at the merge)
Create Date: 2026-12-07 22:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import service.domain.columns

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

String = sqlmodel.sql.sqltypes.AutoString
When = service.domain.columns.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("title", String(length=200), nullable=False),
        sa.Column("starts_at", When(timezone=True), nullable=False),
        sa.Column("ends_at", When(timezone=True), nullable=False),
        sa.Column("place", String(length=120), nullable=False),
        sa.Column("host_organisation_id", String(length=64), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("notes", String(length=5000), nullable=False),
        sa.Column("id", String(length=64), nullable=False),
        sa.Column("theme_id", String(length=64), nullable=False),
        sa.Column("community_id", String(length=64), nullable=False),
        sa.Column("created_by", String(length=64), nullable=True),
        sa.Column("created_at", When(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["host_organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"]),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meeting_theme_id", "meeting", ["theme_id"])
    op.create_index("ix_meeting_community_id", "meeting", ["community_id"])
    op.create_table(
        "invitation",
        sa.Column("id", String(length=64), nullable=False),
        sa.Column("meeting_id", String(length=64), nullable=False),
        sa.Column("invitee_kind", String(length=20), nullable=False),
        sa.Column("invitee_id", String(length=64), nullable=False),
        sa.Column("user_id", String(length=64), nullable=True),
        sa.Column("reason", String(length=1000), nullable=False),
        sa.Column("status", String(length=10), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("invited_at", When(timezone=True), nullable=False),
        sa.Column("answered_at", When(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "invitee_kind", "invitee_id"),
    )
    op.create_index("ix_invitation_meeting_id", "invitation", ["meeting_id"])
    op.create_index("ix_invitation_invitee_id", "invitation", ["invitee_id"])
    op.create_index("ix_invitation_user_id", "invitation", ["user_id"])
    with op.batch_alter_table("outbox_mail") as table:
        table.add_column(sa.Column("meeting_id", String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_mail") as table:
        table.drop_column("meeting_id")
    op.drop_table("invitation")
    op.drop_table("meeting")
