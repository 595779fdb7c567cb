"""Meetings registered in advance by an officer; a high-risk one shows at reception beforehand."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from safedesk.models import Visit
from safedesk.services.reception.booking import WalkIn, validate_visitor
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_assignment import assign_room
from safedesk.services.reception.room_choice import ManagerOverride, ReadinessSource
from safedesk.services.reception.visit_view import VisitError
from safedesk.services.reception.visit_warnings import recheck_warnings
from safedesk.services.reception.walk_in_name import tidy_name
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor


def register_meeting(
    session: Session,
    actor: Actor,
    now: datetime,
    search: PersonSearch,
    *,
    office_id: int,
    host_officer_id: int,
    expected_at: datetime,
    person_id: int | None = None,
    walk_in: WalkIn | None = None,
    room_id: int | None = None,
    purpose: str | None = None,
    high_risk: bool = False,
    risk_notes: str | None = None,
    readiness: ReadinessSource | None = None,
    override: ManagerOverride | None = None,
) -> Visit:
    """An officer books a meeting in advance; high-risk ones show at reception beforehand
    (seed 004: share the risk assessment with reception before the planned meeting).

    A room is checked by the room rule (a flagged visitor or a high-risk meeting needs a
    working alarm, or a manager's override), so `readiness` is required with `room_id`.
    """
    validate_visitor(person_id, walk_in, purpose, today=now.date())
    if expected_at < now - timedelta(minutes=1):
        raise VisitError(
            f"{expected_at:%d/%m/%Y %H:%M} has already passed: a meeting is registered for a "
            "time still to come."
        )
    if high_risk and not (risk_notes or "").strip():
        raise VisitError("Say what reception should do for this high-risk meeting.")
    visit = Visit(
        office_id=office_id,
        person_id=person_id,
        walk_in_name=tidy_name(walk_in.name) if walk_in else None,
        walk_in_date_of_birth=walk_in.date_of_birth if walk_in else None,
        walk_in_postcode=walk_in.postcode if walk_in else None,
        host_officer_id=host_officer_id,
        purpose=purpose,
        high_risk=high_risk,
        risk_notes=(risk_notes or "").strip() or None,
        expected_at=expected_at,
        booked_by_id=actor.staff_id,
        created_at=now,
    )
    session.add(visit)
    session.flush()
    recheck_warnings(session, visit, search, now)
    if room_id is not None:
        if readiness is None:
            raise TypeError("register_meeting needs `readiness` to check the room")
        assign_room(session, actor, now, visit.id, room_id, readiness, override, for_now=False)
    audit.record(
        session,
        actor,
        "visit_registered",
        at=now,
        subject_type="visit",
        subject_id=visit.id,
        high_risk=high_risk,
        expected_at=expected_at.isoformat(),
    )
    return visit
