"""The restricted register (seed 002 5.1): reasons and detail for permitted roles only, every view
audited, and a report of the views.

On PostgreSQL the database enforces the same rule (marker_restricted is readable only by the
``safedesk_restricted`` role, see migration 0005); this module turns the database's refusal into a
clear message. On SQLite this module is the enforcement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from safedesk.config import MarkersConfig
from safedesk.db import Database
from safedesk.models import (
    AuditEntry,
    Marker,
    MarkerCategory,
    MarkerRestricted,
    MarkerStatus,
    Person,
    Role,
)
from safedesk.services.markers.placing import contact_text
from safedesk.services.markers.review_dates import review_state_text
from safedesk.services.markers.roles import (
    ASSESSING_ROLE,
    CATEGORY_TITLES,
    ROLE_TITLES,
    category_visible,
    may_view_reasons,
    review_refusal,
)
from safedesk.services.markers.warnings import visible_instructions
from safedesk.services.shared import audit
from safedesk.services.shared.acting_staff import acting_staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import NotFound, PermissionRefused

VIEWED = "marker.restricted_viewed"
REFUSED = "marker.restricted_view_refused"
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL: permission denied
# The category column of a restricted marker, for those who may not be told its category.
HIDDEN_CATEGORY = "Restricted register (category not shown)"


class RestrictedStorageRefused(PermissionRefused):
    """The database itself refused: this PC's database role may not read the restricted register."""


@dataclass(frozen=True)
class RegisterEntry:
    """One marker as the viewer may see it in a list."""

    marker_id: int
    person_id: int
    person_name: str
    tenancy_ref: str | None
    # None when the viewer may not be told it (on the restricted register, no permission).
    category: MarkerCategory | None
    category_title: str  # what the viewer is shown in the category column
    instructions: tuple[str, ...]
    restricted: bool
    may_view_reasons: bool
    contact: str  # "Contact the ASB Manager before visiting", for those who may not see reasons
    placed_at: datetime
    review_due: date
    overdue_review: bool
    review_state: str  # "OVERDUE by 3 days", "due in 1 day"
    reviewer: str  # who carries out its reviews: "ASB Manager"
    review_refusal: str | None  # why this viewer may not review it; None if they may
    status: MarkerStatus
    visits_in_pairs: bool = False  # the movements diary's two-person rule


@dataclass(frozen=True)
class EvidenceView:
    occurred_on: date
    what_happened: str
    source: str
    alarm_id: int | None


@dataclass(frozen=True)
class RestrictedDetail:
    marker_id: int
    person_name: str
    reason: str
    detail: str | None
    not_informed_reason: str | None
    evidence: tuple[EvidenceView, ...]


@dataclass(frozen=True)
class ViewRecord:
    at: datetime
    actor: str
    workstation: str | None
    marker_id: int | None
    person_id: int | None
    refused: bool
    note: str


def may_view(roles: Iterable[Role], marker: Marker, config: MarkersConfig) -> bool:
    return may_view_reasons(
        roles,
        restricted_register=marker.restricted,
        category=marker.category,
        restricted_roles=config.restricted_roles,
    )


def register_entries(
    session: Session,
    roles: Iterable[Role],
    *,
    today: date,
    config: MarkersConfig,
    person_id: int | None = None,
    include_removed: bool = False,
) -> list[RegisterEntry]:
    """Markers as this viewer may see them: instructions for all, reasons behind a permission."""
    role_set = frozenset(roles)
    query = select(Marker, Person).join(Person, Person.id == Marker.person_id)
    if person_id is not None:
        query = query.where(Marker.person_id == person_id)
    if not include_removed:
        query = query.where(Marker.status == MarkerStatus.ACTIVE)
    query = query.order_by(Marker.review_due, Marker.id)
    return [_entry(m, p, role_set, today, config) for m, p in session.execute(query)]


def _entry(
    m: Marker, p: Person, roles: frozenset[Role], today: date, config: MarkersConfig
) -> RegisterEntry:
    restricted_roles = config.restricted_roles
    shown = category_visible(
        roles,
        restricted_register=m.restricted,
        category=m.category,
        restricted_roles=restricted_roles,
    )
    return RegisterEntry(
        marker_id=m.id,
        person_id=p.id,
        person_name=p.full_name,
        tenancy_ref=p.tenancy_ref,
        category=m.category if shown else None,
        category_title=CATEGORY_TITLES[m.category] if shown else HIDDEN_CATEGORY,
        instructions=visible_instructions(m),
        restricted=m.restricted,
        may_view_reasons=may_view(roles, m, config),
        contact=contact_text(m),
        placed_at=m.placed_at,
        review_due=m.review_due,
        overdue_review=m.status is MarkerStatus.ACTIVE and m.review_due < today,
        review_state=review_state_text(m.review_due, today),
        reviewer=ROLE_TITLES[ASSESSING_ROLE[m.category]],
        review_refusal=review_refusal(
            roles,
            restricted_register=m.restricted,
            category=m.category,
            restricted_roles=restricted_roles,
        ),
        status=m.status,
        visits_in_pairs=m.visits_in_pairs,
    )


def _audit_refusal(db: Database, actor: Actor, marker_id: int, now: datetime, why: str) -> None:
    """Refused attempts are evidence too; written in their own transaction so they survive."""
    with db.session() as s:
        audit.record(
            s, actor, REFUSED, at=now, subject_type="marker", subject_id=marker_id, why=why
        )


def view_restricted(
    db: Database, actor: Actor, marker_id: int, *, now: datetime, config: MarkersConfig
) -> RestrictedDetail:
    """Show the reason and detail to a permitted person, recording the view in the audit log.

    The view and its audit entry commit together: a view that was not recorded did not happen.
    """
    refusal: str | None = None
    try:
        with db.session() as s:
            staff = acting_staff(s, actor, "Viewing restricted marker detail")
            marker = s.get(Marker, marker_id)
            if marker is None:
                raise NotFound(f"no marker with id {marker_id}")
            if not may_view(staff.role_set, marker, config):
                refusal = (
                    f"{staff.name} may not see the reasons for this marker. {contact_text(marker)}"
                )
                raise PermissionRefused(refusal)
            person = s.get(Person, marker.person_id)
            restricted = s.get(MarkerRestricted, marker_id)
            audit.record(
                s,
                actor,
                VIEWED,
                at=now,
                subject_type="marker",
                subject_id=marker_id,
                person_id=marker.person_id,
                category=marker.category.value,
            )
            return RestrictedDetail(
                marker_id=marker_id,
                person_name=person.full_name if person else "(unknown)",
                reason=restricted.reason if restricted else "(no reason recorded)",
                detail=restricted.detail if restricted else None,
                not_informed_reason=marker.not_informed_reason,
                evidence=tuple(
                    EvidenceView(e.occurred_on, e.what_happened, e.source, e.alarm_id)
                    for e in marker.evidence
                ),
            )
    except PermissionRefused:
        if refusal is not None:
            _audit_refusal(db, actor, marker_id, now, refusal)
        raise
    except ProgrammingError as exc:
        if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        user = db.engine.url.username or "(default)"
        why = (
            f"this PC's database account ({user}) is not allowed to read the restricted "
            "register; use a PC set up for restricted access (database role safedesk_restricted)"
        )
        _audit_refusal(db, actor, marker_id, now, why)
        raise RestrictedStorageRefused(why) from exc


def views_report(
    session: Session, *, since: datetime | None = None, until: datetime | None = None
) -> list[ViewRecord]:
    """Every view of (and refused attempt at) restricted detail, oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.action.in_((VIEWED, REFUSED)))
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return [
        ViewRecord(
            at=e.at,
            actor=e.actor,
            workstation=e.workstation,
            marker_id=e.subject_id,
            person_id=(e.detail or {}).get("person_id"),
            refused=e.action == REFUSED,
            note=str((e.detail or {}).get("why", "")),
        )
        for e in session.scalars(query)
    ]
