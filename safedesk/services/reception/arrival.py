"""Arrival and departure: the visitor is here, the visitor has left.

A visitor is matched again on arrival; one with a warning not yet acknowledged cannot be marked
as arrived, nor a flagged one without a room whose alarm works (or a manager's override).
Arrival notifies the host officer (see host_officer).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_assignment import RoomInUse, check_room_still_allowed
from safedesk.services.reception.room_choice import (
    ReadinessSource,
    RoomNeedsOverride,
    room_options,
)
from safedesk.services.reception.visit_view import (
    VisitError,
    VisitView,
    get_visit,
    needs_working_alarm,
    staff_names,
    view_of,
    warning_view_of,
)
from safedesk.services.reception.visit_warnings import WarningsPending, recheck_warnings
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor


class RoomNeeded(VisitError):
    """A flagged visitor (or a high-risk meeting) is not booked in without a room to go to:
    the room rule (a working alarm, or a manager's override) must have been applied."""

    def __init__(self, visitor_name: str) -> None:
        super().__init__(
            f"Give {visitor_name} an interview room whose panic alarm works before booking "
            "them in: they have a flagged file or a high-risk meeting."
        )


def mark_arrived(
    session: Session,
    actor: Actor,
    now: datetime,
    visit_id: int,
    search: PersonSearch,
    readiness: ReadinessSource,
) -> VisitView:
    """The visitor is here: re-matched, warnings must be acknowledged, the host is told."""
    visit = get_visit(session, visit_id)
    if visit.arrived_at is not None:
        raise VisitError(f"{visit.visitor_name} is already booked in.")
    pending = recheck_warnings(session, visit, search, now)
    names = staff_names(session)
    if pending:
        raise WarningsPending([warning_view_of(w, names) for w in pending])
    if visit.room_id is None and needs_working_alarm(visit):
        raise RoomNeeded(visit.visitor_name)
    if visit.room_id is not None:
        options = {o.room_id: o for o in room_options(session, visit.office_id, readiness)}
        room = options.get(visit.room_id)
        if room is not None and room.in_use_visit_id not in (None, visit.id):
            raise RoomInUse(room)
    blocked = check_room_still_allowed(session, visit, readiness)
    if blocked is not None:
        raise RoomNeedsOverride(blocked)
    visit.arrived_at = now
    if visit.host_officer_id is not None:
        visit.host_notified_at = now
    audit.record(
        session,
        actor,
        "visit_arrived",
        at=now,
        subject_type="visit",
        subject_id=visit.id,
        flagged=needs_working_alarm(visit),
        host_officer_id=visit.host_officer_id,
        visitor_name=visit.visitor_name,
        risk_notes_shown=visit.risk_notes if visit.high_risk else None,
    )
    session.flush()
    return view_of(session, visit, names)


def mark_left(session: Session, actor: Actor, now: datetime, visit_id: int) -> None:
    visit = get_visit(session, visit_id)
    if visit.arrived_at is None:
        raise VisitError(f"{visit.visitor_name} has not been booked in.")
    if visit.left_at is None:
        visit.left_at = now
        audit.record(
            session, actor, "visit_left", at=now, subject_type="visit", subject_id=visit.id
        )
