"""query embeddings: each embedded row keeps its text encoded as a query too

With an asymmetric model (e5: "query: " and "passage: "), a search for a stored row (the
challenges for a student) needed its text encoded as a query at request time: most of a
request's time. The vector is now made when the row is embedded and kept beside `embedding`,
valid while `embedding_model` and `text_hash` are. Rows embedded before this revision get it at
the next start (only their query side is encoded).

Revision ID: 0017
Revises: 0016 (the lead re-chains at the merge)
Create Date: 2026-12-08 00:10:00
"""

import sqlalchemy as sa
from alembic import op

import service.domain.columns

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("challenge", "student_profile", "research_group")


def upgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as table:
            table.add_column(
                sa.Column("query_embedding", service.domain.columns.VectorType(), nullable=True)
            )


def downgrade() -> None:
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as table:
            table.drop_column("query_embedding")
