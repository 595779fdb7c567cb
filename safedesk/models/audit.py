"""The append-only audit log: who did or viewed what, when.

Append-only is enforced by the database (triggers refuse UPDATE and DELETE, see the initial
migration), not only by the code, because the log is evidence. ``staff_id``/``actor`` say who
SafeDesk had signed in; ``db_login`` says which PC's database login wrote the row, and only the
database writes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from safedesk.models.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_subject", "subject_type", "subject_id"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    at: Mapped[datetime]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # The login as it was, so the entry still reads right if the account is renamed.
    actor: Mapped[str] = mapped_column(String(64))
    workstation: Mapped[str | None] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    detail: Mapped[dict[str, Any]]
    # PostgreSQL: the database login that wrote the row, set by a trigger from session_user
    # whatever the PC sent (migration 0014), so no PC can write rows in another PC's name.
    # None on SQLite (one PC, one file).
    db_login: Mapped[str | None] = mapped_column(String(63), info={"stamped_by_database": True})
