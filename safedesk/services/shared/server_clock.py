"""The database server's time: the one clock every PC and bridge shares.

Decisions that compare times written by different PCs (is that PC still there? who is signed in
where?) read this, never a PC's own clock, which may be minutes out. On SQLite the database is a
file on this PC, so this PC's time is the server's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session


def database_now(session: Session, fallback: datetime) -> datetime:
    """The server's current time (PostgreSQL), else ``fallback`` (SQLite: this PC's clock)."""
    if session.get_bind().dialect.name != "postgresql":
        return fallback
    value = session.scalar(text("SELECT statement_timestamp()"))
    if not isinstance(value, datetime):
        raise RuntimeError(f"the database server gave no time: {value!r}")
    return value.astimezone(UTC)
