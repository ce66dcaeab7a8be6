"""membership index on (member_id, kind)

Every authenticated request reads the caller's communities by member id and kind. With one
index on `member_id` and one on `kind` (a handful of values), SQLite's planner took the `kind`
index and read the memberships of every member of that kind. One index on both columns
replaces the two; the primary key (community_id, member_id, kind) serves the lookups by
community.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 18:40:00
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index("ix_membership_member_id_kind", ["member_id", "kind"], unique=False)
        batch_op.drop_index("ix_membership_member_id")
        batch_op.drop_index("ix_membership_kind")


def downgrade() -> None:
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index("ix_membership_kind", ["kind"], unique=False)
        batch_op.create_index("ix_membership_member_id", ["member_id"], unique=False)
        batch_op.drop_index("ix_membership_member_id_kind")
