"""Reception: visits and matching.

- people.updated_at index: the search index catches up on changed records by it.
- visits.host_seen_at: the host officer closed the "Your visitor has arrived" notice.
- visit_warnings: each flagged record that warned for a visit (booked person or close match),
  acknowledged or dismissed as "not this person" with a reason.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index("ix_people_updated_at", ["updated_at"], unique=False)
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "visit_warnings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("booked_person", sa.Boolean(), nullable=False),
        sa.Column("marker_ids", _JSON, nullable=False),
        sa.Column("instructions", _JSON, nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
            name=op.f("fk_visit_warnings_visit_id_visits"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_visit_warnings_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"],
            ["staff.id"],
            name=op.f("fk_visit_warnings_acknowledged_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["dismissed_by_id"], ["staff.id"], name=op.f("fk_visit_warnings_dismissed_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_warnings")),
        sa.UniqueConstraint(
            "visit_id", "person_id", name=op.f("uq_visit_warnings_visit_id_person_id")
        ),
    )
    with op.batch_alter_table("visit_warnings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_warnings_visit_id"), ["visit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("visit_warnings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_warnings_visit_id"))
    op.drop_table("visit_warnings")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("host_seen_at")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index("ix_people_updated_at")
