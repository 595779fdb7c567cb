"""Weekly alarm tests: at most one open (pending) test per panic button.

A partial unique index, so two testers starting the same button at the same moment cannot both
succeed, on SQLite and PostgreSQL alike.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "uq_alarm_tests_one_pending_per_device",
        "alarm_tests",
        ["device_pk"],
        unique=True,
        sqlite_where=sa.text("result = 'pending'"),
        postgresql_where=sa.text("result = 'pending'"),
    )


def downgrade() -> None:
    op.drop_index("uq_alarm_tests_one_pending_per_device", table_name="alarm_tests")
