"""Alarm path: every bus event NOTIFYs on PostgreSQL, whoever writes it.

A trigger on ``bus_events`` sends ``pg_notify('safedesk_bus', id)`` for each new row, so the
notification is part of the INSERT (one round trip fewer per alarm) and no writer can forget it.
Readers never depend on it: they read the table by id after every wake-up and every reconnect.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION safedesk_bus_notify() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('safedesk_bus', NEW.id::text);
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER bus_events_notify AFTER INSERT ON bus_events "
        "FOR EACH ROW EXECUTE FUNCTION safedesk_bus_notify()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS bus_events_notify ON bus_events")
    op.execute("DROP FUNCTION IF EXISTS safedesk_bus_notify()")
