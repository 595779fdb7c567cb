"""Panic buttons, bridge and supervision.

Reserved slot in the linear chain so each area adds its schema changes in its own file.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Supervision announces each device's offline/online change once, whichever PC sees it.
    op.add_column(
        "panic_devices", sa.Column("offline_reported_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("panic_devices") as batch:
        batch.drop_column("offline_reported_at")
