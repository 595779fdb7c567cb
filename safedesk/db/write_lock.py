"""Serialising a read-then-decide step on SQLite: take the database's write lock first.

SQLite has one writer at a time but starts a transaction only at its first write, so two PCs
that both read "nobody has answered yet" and then write would both decide. A write that changes
nothing (an UPDATE matching no row) takes the write lock at the start of the transaction: a
second PC's same step waits for the first to commit and then reads what it wrote. PostgreSQL
needs row or advisory locks instead (each caller knows which), so there this does nothing.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from safedesk.models import Office


def take_sqlite_write_lock(session: Session) -> None:
    """On SQLite, hold the write lock from now until this transaction ends; elsewhere nothing."""
    if session.get_bind().dialect.name != "sqlite":
        return
    session.execute(
        update(Office)
        .where(Office.id == -1)
        .values(name=Office.name)
        .execution_options(synchronize_session=False)
    )
