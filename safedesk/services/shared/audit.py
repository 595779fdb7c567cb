"""Writing to and reading the append-only audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import AuditEntry
from safedesk.services.shared.actor import Actor


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    at: datetime,
    subject_type: str | None = None,
    subject_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add an audit entry in the caller's transaction, so the entry and the act commit together.

    On PostgreSQL the database stamps ``db_login`` (the PC's login) itself; nothing set here can
    change it (migration 0014).
    """
    entry = AuditEntry(
        at=at,
        staff_id=actor.staff_id,
        actor=actor.login,
        workstation=actor.workstation,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        detail=detail,
    )
    session.add(entry)
    return entry


def entries(
    session: Session,
    *,
    action: str | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    since: datetime | None = None,
    limit: int = 1000,
) -> Sequence[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if subject_type is not None:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        query = query.where(AuditEntry.subject_id == subject_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    return session.scalars(query).all()
