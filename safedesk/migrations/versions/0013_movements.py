"""Staff movements diary: visits out of the office, check-ins, overdue alerts.

- movements: one officer out on a visit (where, who, leaving, expected back, phone, second
  officer, pre-visit answers, markers acknowledged, two-person override, amber times, check-in).
- overdue_alerts: an officer not back in time; handled like a panic alarm, followed up like an
  incident (debrief, follow-up).
- markers.visits_in_pairs: the structured two-person flag (existing markers: false).

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _json() -> sa.types.TypeEngine[Any]:
    from sqlalchemy.dialects import postgresql

    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("markers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("visits_in_pairs", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    op.create_table(
        "movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("second_officer_id", sa.Integer(), nullable=True),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=400), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("person_name", sa.String(length=240), nullable=True),
        sa.Column("leaving_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_back_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("original_expected_back_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("transport", sa.String(length=120), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("checklist", _json(), nullable=False),
        sa.Column("marker_ids", _json(), nullable=False),
        sa.Column("markers_acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pairs_required", sa.Boolean(), nullable=False),
        sa.Column("pairs_override_by_id", sa.Integer(), nullable=True),
        sa.Column("pairs_override_reason", sa.Text(), nullable=True),
        sa.Column("amber", sa.Boolean(), nullable=False),
        sa.Column("going_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("came_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "check_in_method",
            _enum("check_in_method", "signed_in", "own_pc", "phoned", "command"),
            nullable=True,
        ),
        sa.Column("checked_in_by_id", sa.Integer(), nullable=True),
        sa.Column("check_in_workstation", sa.String(length=120), nullable=True),
        sa.Column("check_in_note", sa.Text(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_movements_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["staff.id"], name=op.f("fk_movements_officer_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["second_officer_id"], ["staff.id"], name=op.f("fk_movements_second_officer_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_id"], ["staff.id"], name=op.f("fk_movements_logged_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_movements_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["pairs_override_by_id"],
            ["staff.id"],
            name=op.f("fk_movements_pairs_override_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["checked_in_by_id"], ["staff.id"], name=op.f("fk_movements_checked_in_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movements")),
    )
    op.create_index(
        "ix_movements_office_open", "movements", ["office_id", "returned_at", "cancelled_at"]
    )
    op.create_index("ix_movements_leaving_at", "movements", ["leaving_at"])
    op.create_index(op.f("ix_movements_officer_id"), "movements", ["officer_id"])

    op.create_table(
        "overdue_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("movement_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("reason", _enum("overdue_reason", "due", "amber", "end_of_day"), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by_id", sa.Integer(), nullable=True),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_managers_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalated_all_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("police_called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("police_called_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            _enum("overdue_outcome", "phoned_safe", "returned", "extended", "police_called"),
            nullable=True,
        ),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("debriefed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("debriefed_by_id", sa.Integer(), nullable=True),
        sa.Column("follow_up_notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["movement_id"], ["movements.id"], name=op.f("fk_overdue_alerts_movement_id_movements")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_overdue_alerts_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["taken_by_id"], ["staff.id"], name=op.f("fk_overdue_alerts_taken_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["police_called_by_id"],
            ["staff.id"],
            name=op.f("fk_overdue_alerts_police_called_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["staff.id"], name=op.f("fk_overdue_alerts_resolved_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["debriefed_by_id"], ["staff.id"], name=op.f("fk_overdue_alerts_debriefed_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overdue_alerts")),
        sa.UniqueConstraint(
            "movement_id",
            "reason",
            "due_at",
            name=op.f("uq_overdue_alerts_movement_id_reason_due_at"),
        ),
    )
    op.create_index("ix_overdue_alerts_open", "overdue_alerts", ["office_id", "resolved_at"])
    op.create_index("ix_overdue_alerts_raised_at", "overdue_alerts", ["raised_at"])
    op.create_index(op.f("ix_overdue_alerts_movement_id"), "overdue_alerts", ["movement_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_overdue_alerts_movement_id"), table_name="overdue_alerts")
    op.drop_index("ix_overdue_alerts_raised_at", table_name="overdue_alerts")
    op.drop_index("ix_overdue_alerts_open", table_name="overdue_alerts")
    op.drop_table("overdue_alerts")
    op.drop_index(op.f("ix_movements_officer_id"), table_name="movements")
    op.drop_index("ix_movements_leaving_at", table_name="movements")
    op.drop_index("ix_movements_office_open", table_name="movements")
    op.drop_table("movements")
    with op.batch_alter_table("markers", schema=None) as batch_op:
        batch_op.drop_column("visits_in_pairs")
