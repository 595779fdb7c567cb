"""Retention: a removed marker is kept for its category's period (config markers.retention_days),
then purged. The purge is audited; the audit log itself is never purged (it is the evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from safedesk.config import MarkersConfig
from safedesk.models import (
    Marker,
    MarkerAppeal,
    MarkerCategory,
    MarkerEvidence,
    MarkerRestricted,
    MarkerReview,
    MarkerStatus,
)
from safedesk.services.markers.restricted_register import (
    INSUFFICIENT_PRIVILEGE,
    RestrictedStorageRefused,
)
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

DEFAULT_RETENTION_DAYS = 2190  # a category missing from the config is kept six years


@dataclass(frozen=True)
class PurgeCandidate:
    marker_id: int
    person_id: int
    category: MarkerCategory
    removed_at: datetime
    purge_after: datetime


def retention_for(category: MarkerCategory, config: MarkersConfig) -> timedelta:
    return timedelta(days=config.retention_days.get(category.value, DEFAULT_RETENTION_DAYS))


def due_for_purge(
    session: Session, *, now: datetime, config: MarkersConfig
) -> list[PurgeCandidate]:
    query = select(Marker.id, Marker.person_id, Marker.category, Marker.removed_at).where(
        Marker.status == MarkerStatus.REMOVED, Marker.removed_at.is_not(None)
    )
    result = []
    for marker_id, person_id, category, removed_at in session.execute(query):
        if removed_at is None:
            continue
        purge_after = removed_at + retention_for(category, config)
        if purge_after <= now:
            result.append(PurgeCandidate(marker_id, person_id, category, removed_at, purge_after))
    return sorted(result, key=lambda c: c.marker_id)


def purge(
    session: Session, actor: Actor, *, now: datetime, config: MarkersConfig, dry_run: bool = False
) -> list[PurgeCandidate]:
    """Delete removed markers past retention (with their reason, evidence, reviews, appeals)."""
    candidates = due_for_purge(session, now=now, config=config)
    if dry_run or not candidates:
        return candidates
    ids = [c.marker_id for c in candidates]
    # Children by marker id, the reasons first: there is no ON DELETE CASCADE to take them (0014),
    # and on PostgreSQL only a restricted-access PC's login may delete reasons and markers.
    try:
        for child in (MarkerRestricted, MarkerEvidence, MarkerReview, MarkerAppeal):
            session.execute(delete(child).where(child.marker_id.in_(ids)))
        session.execute(
            delete(Marker).where(Marker.id.in_(ids)).execution_options(synchronize_session=False)
        )
    except ProgrammingError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise RestrictedStorageRefused(
            "Purging markers (and their reasons) is done from a PC set up for restricted "
            "access (database role safedesk_restricted): this PC's database account may not"
        ) from exc
    for c in candidates:
        audit.record(
            session,
            actor,
            "marker.purged",
            at=now,
            subject_type="marker",
            subject_id=c.marker_id,
            person_id=c.person_id,
            category=c.category.value,
            removed_at=c.removed_at.isoformat(),
            retention_days=retention_for(c.category, config).days,
        )
    audit.record(session, actor, "marker.purge_run", at=now, purged=len(ids))
    return candidates
