"""Alembic environment: the engine comes from SafeDesk (see safedesk.db.migrate), never from an ini."""

from __future__ import annotations

from alembic import context

from safedesk.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:
    raise RuntimeError("run migrations through `safedesk db upgrade` (safedesk.db.migrate)")

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
