"""pgvector HNSW indexes (PostgreSQL only)

Approximate nearest-neighbour indexes over the stored embeddings, so that PostgreSQL can hand
out dense candidates itself (service.storage.vector_store). The embedding column has no fixed
dimension (the model is a setting), and pgvector indexes only a fixed dimension: each index is
on the expression `embedding::vector(384)`, partial to the rows of that dimension. 384 is the
dimension of the default model family (MiniLM); the service creates the same kind of index for
another dimension when it starts with a model of that dimension.

SQLite has no pgvector: there the revision does nothing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21 12:45:00
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("challenge", "student_profile", "research_group")
DIMENSION = 384


def _index(table: str) -> str:
    return f"ix_{table}_embedding_hnsw_{DIMENSION}"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {_index(table)} ON {table} "
            f"USING hnsw ((embedding::vector({DIMENSION})) vector_cosine_ops) "
            f"WHERE vector_dims(embedding) = {DIMENSION}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP INDEX IF EXISTS {_index(table)}")
