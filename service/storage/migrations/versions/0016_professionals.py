"""professionals: SME employees and managers (werknemers, leidinggevenden) learning in a community

A round's challenge keeps its own organisation's professionals in its team:
`round_challenge.staff_ids`.

Revision ID: 0016
Revises: 0014 (the lead re-chains at the merge)
Create Date: 2026-12-07 22:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import service.domain.columns

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "professional",
        sa.Column("full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("job_role", sa.String(length=32), nullable=False),
        sa.Column("job_title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("learning_wishes", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
        sa.Column("hours_per_week", sa.Integer(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("organisation_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", service.domain.columns.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    with op.batch_alter_table("professional") as table:
        table.create_index(
            table.f("ix_professional_organisation_id"), ["organisation_id"], unique=False
        )
    with op.batch_alter_table("round_challenge") as table:
        table.add_column(sa.Column("staff_ids", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("round_challenge") as table:
        table.drop_column("staff_ids")
    with op.batch_alter_table("professional") as table:
        table.drop_index(table.f("ix_professional_organisation_id"))
    op.drop_table("professional")
