"""notifications: the outbox of e-mails and each user's language

Every step that needs someone's action writes an e-mail to `outbox_mail` in the same commit;
it is sent after that commit (or, in development without SMTP, read on the outbox page).
`user_language` keeps the language a user last chose on the pages, for their mails.

Revision ID: 0009
Revises: 0006 (the lead puts 0007/0008 in between at the merge)
Create Date: 2026-12-07 18:10:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import service.domain.columns

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        "outbox_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", text(length=64), nullable=False),
        sa.Column("to_address", text(length=254), nullable=False),
        sa.Column("language", text(length=5), nullable=False),
        sa.Column("kind", text(length=20), nullable=False),
        sa.Column("suggestion_id", text(length=64), nullable=True),
        sa.Column("link", text(length=300), nullable=False),
        sa.Column("status", text(length=10), nullable=False),
        sa.Column("error", text(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", service.domain.columns.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_mail_recipient_id"), ["recipient_id"])
        batch_op.create_index(batch_op.f("ix_outbox_mail_suggestion_id"), ["suggestion_id"])
        batch_op.create_index(batch_op.f("ix_outbox_mail_status"), ["status"])
    op.create_table(
        "user_language",
        sa.Column("user_id", text(length=64), nullable=False),
        sa.Column("language", text(length=5), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("user_language")
    with op.batch_alter_table("outbox_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_mail_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_mail_suggestion_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_mail_recipient_id"))
    op.drop_table("outbox_mail")
