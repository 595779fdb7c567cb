"""The host officer: who can host a visitor, and "Your visitor has arrived".

Arrival notifies the host officer, with the flag and the instructions; the officer's screen
polls ``host_notices`` and closes the notice with ``mark_notice_seen``. A visitor booked in at
the desk always names a host, so the warning's "tell the officer" reaches somebody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import Staff, Visit
from safedesk.services.reception.visit_view import (
    VisitView,
    get_visit,
    needs_working_alarm,
    staff_names,
    view_of,
)
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor


@dataclass(frozen=True)
class HostNotice:
    """What the host officer's screen shows: "Your visitor has arrived"."""

    visit: VisitView

    @property
    def headline(self) -> str:
        return f"Your visitor has arrived: {self.visit.visitor_name}"


def host_officers(session: Session, office_id: int) -> list[tuple[int, str]]:
    """Staff who can host a visitor at this office, by name (officers and managers first)."""
    rows = session.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.name)).all()
    home = [s for s in rows if s.home_office_id == office_id]
    others = [s for s in rows if s.home_office_id != office_id]
    return [(s.id, s.name) for s in home + others]


def host_notices(session: Session, staff_id: int) -> list[HostNotice]:
    """Visitors who arrived for this officer and whose notice the officer has not closed."""
    visits = session.scalars(
        select(Visit)
        .where(
            Visit.host_officer_id == staff_id,
            Visit.arrived_at.is_not(None),
            Visit.left_at.is_(None),
            Visit.host_seen_at.is_(None),
        )
        .order_by(Visit.arrived_at)
    ).all()
    names = staff_names(session)
    return [HostNotice(view_of(session, v, names)) for v in visits]


def mark_notice_seen(session: Session, actor: Actor, now: datetime, visit_id: int) -> None:
    """The host officer closed "Your visitor has arrived"."""
    visit = get_visit(session, visit_id)
    if visit.host_seen_at is None:
        visit.host_seen_at = now
        audit.record(
            session,
            actor,
            "visit_host_notice_seen",
            at=now,
            subject_type="visit",
            subject_id=visit.id,
            flagged=needs_working_alarm(visit),
        )
