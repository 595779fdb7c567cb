"""Alarm deliveries: which screens showed each alarm, when, and with or without sound.

- alarm_deliveries: one row per PC and alarm and way of showing it (full alert or notice):
  the PC's row key and configured name, who was signed in (id and name as recorded then), the
  database server's time, whether the alarm sound played and, if not, why.

PostgreSQL: every desktop PC (safedesk_app) may read and add rows, never change or delete them
(no UPDATE or DELETE grant): the record of who was shown an alarm is kept as written. USAGE only
on the id sequence, as 0014 grants (never UPDATE: setval).

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APP = "safedesk_app"


def upgrade() -> None:
    op.create_table(
        "alarm_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alarm_id", sa.Integer(), nullable=False),
        sa.Column("workstation", sa.String(length=120), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("staff_name", sa.String(length=120), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "full_alert",
                "notice",
                name="delivery_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sound_played", sa.Boolean(), nullable=False),
        sa.Column("no_sound_reason", sa.String(length=255), nullable=True),
        sa.ForeignKeyConstraint(
            ["alarm_id"],
            ["alarm_events.id"],
            name=op.f("fk_alarm_deliveries_alarm_id_alarm_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_alarm_deliveries_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_deliveries")),
        sa.UniqueConstraint(
            "alarm_id",
            "workstation",
            "kind",
            name=op.f("uq_alarm_deliveries_alarm_id_workstation_kind"),
        ),
    )
    with op.batch_alter_table("alarm_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alarm_deliveries_alarm_id"), ["alarm_id"])
    if op.get_bind().dialect.name == "postgresql":
        _grant()


def _grant() -> None:
    op.execute(f"GRANT SELECT, INSERT ON alarm_deliveries TO {APP}")
    sequence = (
        op.get_bind()
        .execute(sa.text("SELECT pg_get_serial_sequence('public.alarm_deliveries', 'id')"))
        .scalar()
    )
    if sequence:
        op.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {APP}")


def downgrade() -> None:
    with op.batch_alter_table("alarm_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alarm_deliveries_alarm_id"))
    op.drop_table("alarm_deliveries")
