"""Alarm screens: who is signed in on each PC, and the name the PC is shown by.

- workstations.signed_in_staff_id: who is signed in on the PC now (written with every heartbeat
  and at each sign-in or sign-out). With ``last_seen_at`` (now the database server's time) it
  answers "can a responder on the rota be reached?" and "who is at this reception desk?".
- workstations.label: the PC's name as configured (``workstation.name``); NULL when only the
  host name is known. Screens name a PC by its label, never by its host name.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workstations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signed_in_staff_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("label", sa.String(length=120), nullable=True))
        batch_op.create_foreign_key(
            "fk_workstations_signed_in_staff_id_staff", "staff", ["signed_in_staff_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("workstations", schema=None) as batch_op:
        batch_op.drop_constraint("fk_workstations_signed_in_staff_id_staff", type_="foreignkey")
        batch_op.drop_column("label")
        batch_op.drop_column("signed_in_staff_id")
