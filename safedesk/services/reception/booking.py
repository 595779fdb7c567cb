"""Booking a visitor in at the desk, in one transaction (``book_in``).

The visitor's details are checked, the visitor is matched again, the warnings the
receptionist saw are acknowledged (or a close match dismissed with a reason), the room is
given and the visitor marked as arrived, all or nothing. A visitor booked in at the desk always
names a host. A walk-in's name is stored as typed (``walk_in_name``); only the matcher folds it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from safedesk.models import Person, Visit
from safedesk.services.reception.arrival import mark_arrived
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_assignment import assign_room
from safedesk.services.reception.room_choice import ManagerOverride, ReadinessSource
from safedesk.services.reception.visit_view import (
    VisitError,
    VisitView,
    get_visit,
    staff_names,
    view_of,
    warning_view_of,
)
from safedesk.services.reception.visit_warnings import (
    WarningsPending,
    acknowledge_warnings,
    dismiss_candidate,
    recheck_warnings,
)
from safedesk.services.reception.walk_in_name import name_problem, purpose_problem, tidy_name
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor


@dataclass(frozen=True)
class WalkIn:
    """A visitor booked by what they said, not (yet) tied to a record."""

    name: str
    date_of_birth: date | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class BookingRequest:
    """Everything the book-in dialog collected, applied in one transaction by ``book_in``."""

    office_id: int
    person_id: int | None = None
    walk_in: WalkIn | None = None
    typed_query: str = ""  # the visitor's answers as typed, matched as well
    host_officer_id: int | None = None
    purpose: str | None = None
    room_id: int | None = None
    # person id -> the marker ids the receptionist saw and acknowledged in the warning
    acknowledged: Mapping[int, Collection[int]] = field(default_factory=dict)
    dismissed: Mapping[int, str] = field(default_factory=dict)  # person id -> reason
    override: ManagerOverride | None = None
    visit_id: int | None = None  # book in an expected visit instead of a new one


def validate_visitor(
    person_id: int | None,
    walk_in: WalkIn | None,
    purpose: str | None = None,
    *,
    today: date | None = None,
) -> None:
    if (person_id is None) == (walk_in is None):
        raise VisitError("Choose a record from the list, or book in by name as a walk-in.")
    born = walk_in.date_of_birth if walk_in is not None else None
    if born is not None and today is not None and born > today:
        raise VisitError(f"{born:%d/%m/%Y} is in the future: not a date of birth.")
    problem = (name_problem(walk_in.name) if walk_in is not None else None) or purpose_problem(
        purpose
    )
    if problem is not None:
        raise VisitError(problem)


def book_in(
    session: Session,
    actor: Actor,
    now: datetime,
    search: PersonSearch,
    readiness: ReadinessSource,
    request: BookingRequest,
) -> VisitView:
    """Book a visitor in at the desk, in one transaction.

    Raises WarningsPending when a flagged record matches that the receptionist has not
    acknowledged (for example a marker placed while the dialog was open): the caller shows
    the warning and calls again. Raises RoomNeedsOverride for the room rule.
    """
    validate_visitor(request.person_id, request.walk_in, request.purpose, today=now.date())
    if request.visit_id is not None:
        visit = get_visit(session, request.visit_id)
        if visit.arrived_at is not None:
            raise VisitError(f"{visit.visitor_name} is already booked in.")
        if request.person_id is not None:
            visit.person_id = request.person_id
            visit.walk_in_name = None
        visit.person = session.get(Person, visit.person_id) if visit.person_id else None
    else:
        visit = Visit(office_id=request.office_id, created_at=now, booked_by_id=actor.staff_id)
        visit.person_id = request.person_id
        visit.person = session.get(Person, request.person_id) if request.person_id else None
        if visit.person_id is not None and visit.person is None:
            raise VisitError("That record no longer exists; search again.")
        session.add(visit)
    if request.walk_in is not None:
        visit.walk_in_name = tidy_name(request.walk_in.name)
        visit.walk_in_date_of_birth = request.walk_in.date_of_birth
        visit.walk_in_postcode = request.walk_in.postcode
    if request.host_officer_id is not None:
        visit.host_officer_id = request.host_officer_id
    if request.purpose:
        visit.purpose = request.purpose
    if visit.host_officer_id is None:
        raise VisitError(
            "Choose who the visitor is seeing. The host officer is told they are here, "
            "with any flagged-file warning."
        )
    session.flush()
    pending = recheck_warnings(session, visit, search, now, request.typed_query)
    names = staff_names(session)
    for row in pending:
        reason = request.dismissed.get(row.person_id)
        if reason is not None and not row.booked_person:
            dismiss_candidate(session, actor, now, row.id, reason)
    still = [w for w in pending if w.dismissed_at is None]
    unseen = [
        w for w in still if not set(w.marker_ids) <= set(request.acknowledged.get(w.person_id, ()))
    ]
    if unseen:
        raise WarningsPending([warning_view_of(w, names) for w in unseen])
    acknowledge_warnings(session, actor, now, visit.id, [w.id for w in still])
    if request.room_id is not None:
        assign_room(session, actor, now, visit.id, request.room_id, readiness, request.override)
    audit.record(
        session,
        actor,
        "visit_booked_in",
        at=now,
        subject_type="visit",
        subject_id=visit.id,
        person_id=visit.person_id,
        walk_in=visit.person_id is None,
        typed_query=request.typed_query.strip(),
    )
    return mark_arrived(session, actor, now, visit.id, search, readiness)


def update_walk_in(
    session: Session,
    actor: Actor,
    now: datetime,
    visit_id: int,
    search: PersonSearch,
    walk_in: WalkIn,
) -> VisitView:
    """Correct a walk-in's details; matched again at once (the save is what matters)."""
    validate_visitor(None, walk_in, today=now.date())
    visit = get_visit(session, visit_id)
    visit.walk_in_name = tidy_name(walk_in.name)
    visit.walk_in_date_of_birth = walk_in.date_of_birth
    visit.walk_in_postcode = walk_in.postcode
    recheck_warnings(session, visit, search, now)
    audit.record(session, actor, "visit_updated", at=now, subject_type="visit", subject_id=visit.id)
    return view_of(session, visit, staff_names(session))
