"""Alarm path resilience: device binding, press ids, what a bridge heard.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # --- G: device binding (issue 12, hole 10) ---
    # Where a device is registered to be heard, and where an unknown-location press was heard.
    with op.batch_alter_table("panic_devices") as batch:
        batch.add_column(sa.Column("bound_host", sa.String(120), nullable=True))
        batch.add_column(sa.Column("bound_port", sa.String(255), nullable=True))
        batch.add_column(sa.Column("bound_usb_serial", sa.String(80), nullable=True))
    with op.batch_alter_table("alarm_events") as batch:
        batch.add_column(sa.Column("heard_on", sa.String(255), nullable=True))
    # --- end G ---


def downgrade() -> None:
    # --- G: device binding ---
    with op.batch_alter_table("alarm_events") as batch:
        batch.drop_column("heard_on")
    with op.batch_alter_table("panic_devices") as batch:
        batch.drop_column("bound_usb_serial")
        batch.drop_column("bound_port")
        batch.drop_column("bound_host")
    # --- end G ---
