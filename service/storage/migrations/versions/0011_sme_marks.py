"""SMEs' marks in rounds and a challenge's size as a range

`round_student.candidate_no` is a student's pseudonym towards SMEs within a round ("Kandidaat
3"), unique per round; `round.sme_mark_weight` is the fit an SME's mark adds in the allocation;
`challenge.students_min` is the fewest students worth a team (empty: a round proposes its usual
range). The marks themselves live in `round_challenge.sme_marks` (0007).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
# Other branches add migrations at the same time; at the merge this points at the last of them.
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("students_min", sa.Integer(), nullable=True))
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sme_mark_weight", sa.Float(), nullable=False, server_default="0.25")
        )
    with op.batch_alter_table("round_student", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidate_no", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            "uq_round_student_candidate_no", ["round_id", "candidate_no"]
        )


def downgrade() -> None:
    with op.batch_alter_table("round_student", schema=None) as batch_op:
        batch_op.drop_constraint("uq_round_student_candidate_no", type_="unique")
        batch_op.drop_column("candidate_no")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("sme_mark_weight")
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.drop_column("students_min")
