"""Visits at reception: expected meetings, booking in, warnings, arrivals, the host's notice.

The rules this module keeps, whatever screen calls it:

- Every save of a visit matches the visitor against the records again (the booked record's
  close matches, or a walk-in's name, date of birth and postcode), and asks the database for
  active markers on every close candidate. A marker found later still warns.
- A visitor with a warning not yet acknowledged cannot be marked as arrived.
- A flagged close match that is not the visitor may be dismissed only with a reason; the
  dismissal and every acknowledgement go to the audit log.
- A flagged visitor gets a room whose alarm is not known to work only with a manager's
  override (see room_choice).
- Arrival notifies the host officer ("Your visitor has arrived", with the flag and the
  instructions); the officer's screen polls ``host_notices``. A visitor booked in at the desk
  always names a host, so the warning's "tell the officer" reaches somebody, and a flag found
  while the visitor is in the building tells the host again.
- A room holds one visitor at a time: a room in use is refused.
- A flagged person who came to the desk is on the record whatever happened next: stopping
  after the warning is audited (``record_stopped_after_warning``).
- A flagged visitor (or a high-risk meeting) in a room whose panic button goes offline or
  fails is reported to reception and the host (``room_alarm_problems``).
- A walk-in's name is stored as typed (``walk_in_name``); only the matcher folds it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from safedesk.models import Office, Person, Room, Staff, Visit, VisitWarning
from safedesk.services.buttons.readiness import Readiness
from safedesk.services.markers.warnings import MarkerWarning, warnings_for_people
from safedesk.services.reception.person_search import PersonSearch, visitor_query
from safedesk.services.reception.room_choice import (
    ManagerOverride,
    ReadinessSource,
    RoomNeedsOverride,
    RoomOption,
    check_room,
    record_override,
    room_options,
)
from safedesk.services.reception.walk_in_name import name_problem, purpose_problem, tidy_name
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.weekly_test.test_week import office_zone

MIN_DISMISS_REASON = 10
"""Characters: "not him" is not a reason; "DOB 12/04/1990, lives in Leeds" is."""


class VisitError(Exception):
    """A request reception cannot carry out, phrased for the receptionist."""


class RoomInUse(VisitError):
    """The room already holds a visitor who has not left."""

    def __init__(self, room: RoomOption) -> None:
        super().__init__(
            f"{room.name} is in use: {room.in_use_by} is in it. Choose another room, or "
            f"record that {room.in_use_by} has left first."
        )
        self.room = room


class RoomNeeded(VisitError):
    """A flagged visitor (or a high-risk meeting) is not booked in without a room to go to:
    the room rule (a working alarm, or a manager's override) must have been applied."""

    def __init__(self, visitor_name: str) -> None:
        super().__init__(
            f"Give {visitor_name} an interview room whose panic alarm works before booking "
            "them in: they have a flagged file or a high-risk meeting."
        )


class WarningsPending(VisitError):
    """The visitor has flagged-file warnings nobody has acknowledged yet."""

    def __init__(self, warnings: list[WarningView]) -> None:
        names = ", ".join(w.person_name for w in warnings)
        super().__init__(f"Acknowledge the flagged-file warning first ({names}).")
        self.warnings = warnings


@dataclass(frozen=True)
class WalkIn:
    """A visitor booked by what they said, not (yet) tied to a record."""

    name: str
    date_of_birth: date | None = None
    postcode: str | None = None


@dataclass(frozen=True)
class WarningView:
    """One flagged record that warns for a visit: instructions only, never reasons."""

    id: int
    person_id: int
    person_name: str
    date_of_birth: date | None
    postcode: str | None
    tenancy_ref: str | None
    booked_person: bool  # the record the visitor was booked as, not just a close match
    marker_ids: tuple[int, ...]
    instructions: tuple[str, ...]
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    dismissed_reason: str | None

    @property
    def pending(self) -> bool:
        return self.acknowledged_at is None and self.dismissed_reason is None


@dataclass(frozen=True)
class VisitView:
    id: int
    office_id: int
    visitor_name: str
    person_id: int | None
    date_of_birth: date | None
    postcode: str | None
    tenancy_ref: str | None
    host_officer_id: int | None
    host_name: str | None
    room_id: int | None
    room_name: str | None
    purpose: str | None
    high_risk: bool
    risk_notes: str | None
    expected_at: datetime | None
    arrived_at: datetime | None
    left_at: datetime | None
    room_override_reason: str | None
    warnings: tuple[WarningView, ...] = field(default=())
    host_notified_at: datetime | None = None

    @property
    def needs_working_alarm(self) -> bool:
        """A flagged file or a high-risk meeting: the room's alarm must work."""
        return self.high_risk or self.flagged

    @property
    def walk_in(self) -> bool:
        return self.person_id is None

    @property
    def active_warnings(self) -> tuple[WarningView, ...]:
        """Warnings that stand: not dismissed as another person."""
        return tuple(w for w in self.warnings if w.dismissed_reason is None)

    @property
    def flagged(self) -> bool:
        return bool(self.active_warnings)

    @property
    def pending_warnings(self) -> tuple[WarningView, ...]:
        return tuple(w for w in self.warnings if w.pending)

    @property
    def instructions(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for warning in self.active_warnings:
            for text in warning.instructions:
                seen.setdefault(text, None)
        return tuple(seen)

    @property
    def status(self) -> str:
        if self.left_at is not None:
            return "Left"
        if self.arrived_at is not None:
            return "Arrived"
        return "Expected"


@dataclass(frozen=True)
class HostNotice:
    """What the host officer's screen shows: "Your visitor has arrived"."""

    visit: VisitView

    @property
    def headline(self) -> str:
        return f"Your visitor has arrived: {self.visit.visitor_name}"


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


# ---------------------------------------------------------------------- reading


def day_bounds(office: Office, now: datetime) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the office's local day containing `now`."""
    zone = office_zone(office.time_zone)
    local = now.astimezone(zone).date()
    start = datetime.combine(local, time(0), zone)
    end = datetime.combine(local + timedelta(days=1), time(0), zone)
    return start, end


def _person_name(person: Person) -> str:
    return person.full_name


def _view(session: Session, visit: Visit, staff_names: Mapping[int, str]) -> VisitView:
    person = visit.person
    room = session.get(Room, visit.room_id) if visit.room_id else None
    warnings = tuple(_warning_view(w, staff_names) for w in visit.warnings if w.marker_ids)
    return VisitView(
        id=visit.id,
        office_id=visit.office_id,
        visitor_name=visit.visitor_name,
        person_id=visit.person_id,
        date_of_birth=visit.visitor_date_of_birth,  # as recorded for the visit (0007)
        postcode=person.postcode if person else visit.walk_in_postcode,
        tenancy_ref=person.tenancy_ref if person else None,
        host_officer_id=visit.host_officer_id,
        host_name=staff_names.get(visit.host_officer_id) if visit.host_officer_id else None,
        room_id=visit.room_id,
        room_name=room.name if room else None,
        purpose=visit.purpose,
        high_risk=visit.high_risk,
        risk_notes=visit.risk_notes,
        expected_at=visit.expected_at,
        arrived_at=visit.arrived_at,
        left_at=visit.left_at,
        room_override_reason=visit.room_override_reason,
        warnings=warnings,
        host_notified_at=visit.host_notified_at,
    )


def _warning_view(row: VisitWarning, staff_names: Mapping[int, str]) -> WarningView:
    person = row.person
    return WarningView(
        id=row.id,
        person_id=row.person_id,
        person_name=_person_name(person),
        date_of_birth=person.date_of_birth,
        postcode=person.postcode,
        tenancy_ref=person.tenancy_ref,
        booked_person=row.booked_person,
        marker_ids=tuple(row.marker_ids),
        instructions=tuple(row.instructions),
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=staff_names.get(row.acknowledged_by_id) if row.acknowledged_by_id else None,
        dismissed_reason=row.dismissed_reason,
    )


def _staff_names(session: Session) -> dict[int, str]:
    return {sid: name for sid, name in session.execute(select(Staff.id, Staff.name))}


def view_visit(session: Session, visit_id: int) -> VisitView:
    return _view(session, _get(session, visit_id), _staff_names(session))


def todays_visits(session: Session, office_id: int, now: datetime) -> list[VisitView]:
    """Expected today (high-risk meetings included), arrived today, or still in the building."""
    office = session.get(Office, office_id)
    if office is None:
        raise VisitError(f"no office with id {office_id}")
    start, end = day_bounds(office, now)
    visits = session.scalars(
        select(Visit).where(
            Visit.office_id == office_id,
            or_(
                and_(Visit.expected_at >= start, Visit.expected_at < end),
                and_(Visit.arrived_at >= start, Visit.arrived_at < end),
                and_(Visit.arrived_at.is_not(None), Visit.left_at.is_(None)),
                and_(Visit.expected_at.is_(None), Visit.created_at >= start),
            ),
        )
    ).all()
    names = _staff_names(session)
    views = [_view(session, v, names) for v in visits]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(views, key=lambda v: (v.expected_at or v.arrived_at or far, v.id))


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
    names = _staff_names(session)
    return [HostNotice(_view(session, v, names)) for v in visits]


def host_officers(session: Session, office_id: int) -> list[tuple[int, str]]:
    """Staff who can host a visitor at this office, by name (officers and managers first)."""
    rows = session.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.name)).all()
    home = [s for s in rows if s.home_office_id == office_id]
    others = [s for s in rows if s.home_office_id != office_id]
    return [(s.id, s.name) for s in home + others]


# ---------------------------------------------------------------------- matching


def _get(session: Session, visit_id: int) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise VisitError(f"no visit with id {visit_id}")
    return visit


def _candidate_ids(visit: Visit, search: PersonSearch, typed_query: str) -> set[int]:
    queries: list[str] = []
    if visit.person is not None:
        p = visit.person
        queries.append(visitor_query(p.full_name, p.date_of_birth, p.postcode))
    elif visit.walk_in_name:
        queries.append(
            visitor_query(visit.walk_in_name, visit.walk_in_date_of_birth, visit.walk_in_postcode)
        )
    if typed_query.strip():
        queries.append(typed_query.rstrip() + " ")
    found: set[int] = set()
    for query in queries:
        found.update(m.record.person_id for m in search.close_candidates(query))
    return found


def recheck_warnings(
    session: Session, visit: Visit, search: PersonSearch, now: datetime, typed_query: str = ""
) -> list[VisitWarning]:
    """Match the visitor again and bring the visit's warnings up to date; return those pending.

    Markers are read from the database for every close candidate, so the answer never waits
    for the search index to notice a new marker.
    """
    candidates = _candidate_ids(visit, search, typed_query)
    if visit.person_id is not None:
        candidates.add(visit.person_id)
    found: dict[int, list[MarkerWarning]] = (
        warnings_for_people(session, candidates, now.date()) if candidates else {}
    )
    rows = {w.person_id: w for w in visit.warnings}
    raised = False
    for person_id, marker_warnings in found.items():
        marker_ids = sorted(w.marker_id for w in marker_warnings)
        instructions: dict[str, None] = {}
        for warning in marker_warnings:
            for text in warning.instructions:
                instructions.setdefault(text, None)
        row = rows.get(person_id)
        if row is None:
            row = VisitWarning(
                person_id=person_id,
                booked_person=person_id == visit.person_id,
                marker_ids=marker_ids,
                instructions=list(instructions),
                raised_at=now,
            )
            visit.warnings.append(row)
            raised = True
            continue
        row.booked_person = person_id == visit.person_id
        if set(marker_ids) - set(row.marker_ids):
            # A new marker: whatever was acknowledged before did not cover it.
            row.acknowledged_at = None
            row.acknowledged_by_id = None
            row.raised_at = now
            raised = True
            if row.booked_person:
                row.dismissed_at = row.dismissed_by_id = row.dismissed_reason = None
        row.marker_ids = marker_ids
        row.instructions = list(instructions)
    for person_id, row in rows.items():
        if person_id not in found and row.marker_ids:
            row.marker_ids = []  # markers removed since: the warning no longer stands
            row.instructions = []
    in_building = visit.arrived_at is not None and visit.left_at is None
    if raised and in_building and visit.host_officer_id is not None:
        # Found while the visitor is in the building: the host is told again, with the flag.
        visit.host_notified_at = now
        visit.host_seen_at = None
    session.flush()
    return [
        w
        for w in visit.warnings
        if w.marker_ids and w.acknowledged_at is None and w.dismissed_at is None
    ]


def check_visit(session: Session, visit_id: int, search: PersonSearch, now: datetime) -> VisitView:
    """Re-match one visit (as on every save) and return it with its current warnings."""
    visit = _get(session, visit_id)
    recheck_warnings(session, visit, search, now)
    return _view(session, visit, _staff_names(session))


def recheck_open_visits(
    session: Session, office_id: int, search: PersonSearch, now: datetime
) -> list[VisitView]:
    """Re-match today's visits still to come or in the building.

    Returns the visits reception must be warned about now: a warning raised by this check (a
    marker found later), or a visitor already in the building with a warning not yet
    acknowledged. Expected visitors' warnings are shown in the list and enforced on arrival.
    """
    flagged: list[VisitView] = []
    names = _staff_names(session)
    for view in todays_visits(session, office_id, now):
        if view.left_at is not None:
            continue
        visit = _get(session, view.id)
        pending = recheck_warnings(session, visit, search, now)
        raised_now = any(w.raised_at == now for w in pending)
        if raised_now or (pending and visit.arrived_at is not None):
            flagged.append(_view(session, visit, names))
    return flagged


# ---------------------------------------------------------------------- changing


def acknowledge_warnings(
    session: Session, actor: Actor, now: datetime, visit_id: int, warning_ids: Collection[int]
) -> None:
    """The receptionist read the warning: recorded per flagged record and audited."""
    visit = _get(session, visit_id)
    acknowledged = []
    for row in visit.warnings:
        if row.id in warning_ids and row.acknowledged_at is None and row.dismissed_at is None:
            row.acknowledged_at = now
            row.acknowledged_by_id = actor.staff_id
            acknowledged.append(row)
            audit.record(
                session,
                actor,
                "visit_warning_acknowledged",
                at=now,
                subject_type="visit",
                subject_id=visit.id,
                person_id=row.person_id,
                booked_person=row.booked_person,
                marker_ids=list(row.marker_ids),
                instructions=list(row.instructions),
            )
    if acknowledged and not any(
        w.marker_ids and w.acknowledged_at is None and w.dismissed_at is None
        for w in visit.warnings
    ):
        visit.warning_acknowledged_at = now
        visit.warning_acknowledged_by_id = actor.staff_id
    session.flush()


def dismiss_candidate(
    session: Session, actor: Actor, now: datetime, warning_id: int, reason: str
) -> None:
    """A flagged close match is not this visitor: only with a reason, and audited."""
    row = session.get(VisitWarning, warning_id)
    if row is None:
        raise VisitError(f"no warning with id {warning_id}")
    text = reason.strip()
    if len(text) < MIN_DISMISS_REASON:
        raise VisitError(
            "Say why this is not the visitor (for example their date of birth or address differs)."
        )
    if row.booked_person:
        raise VisitError(
            "This is the record the visitor is booked as. If it is the wrong person, "
            "book the visitor again under the right record."
        )
    row.dismissed_at = now
    row.dismissed_by_id = actor.staff_id
    row.dismissed_reason = text
    audit.record(
        session,
        actor,
        "visit_candidate_dismissed",
        at=now,
        subject_type="visit",
        subject_id=row.visit_id,
        person_id=row.person_id,
        marker_ids=list(row.marker_ids),
        reason=text,
    )
    session.flush()


def _flagged(visit: Visit) -> bool:
    """Needs a room with a working alarm: a flagged file, or a meeting registered as high-risk."""
    return visit.high_risk or any(w.marker_ids and w.dismissed_at is None for w in visit.warnings)


def assign_room(
    session: Session,
    actor: Actor,
    now: datetime,
    visit_id: int,
    room_id: int | None,
    readiness: ReadinessSource,
    override: ManagerOverride | None = None,
    *,
    for_now: bool = True,
) -> RoomOption | None:
    """Give the visit a room, keeping the room rule for flagged visitors.

    ``for_now`` is false only for a meeting registered for later: a room in use now may be
    free by then (arrival checks it again).
    """
    visit = _get(session, visit_id)
    if room_id is None:
        visit.room_id = None
        session.flush()
        return None
    options = {o.room_id: o for o in room_options(session, visit.office_id, readiness)}
    room = options.get(room_id)
    if room is None:
        raise VisitError("That room is not an interview room of this office.")
    if for_now and room.in_use_visit_id not in (None, visit.id):
        raise RoomInUse(room)
    check_room(room, flagged=_flagged(visit), override=override)
    visit.room_id = room_id
    if override is not None and not room.alarm_ok:
        record_override(session, actor, now, visit, room, override)
    audit.record(
        session,
        actor,
        "visit_room_assigned",
        at=now,
        subject_type="visit",
        subject_id=visit.id,
        room_id=room_id,
        room_status=room.status.value,
    )
    session.flush()
    return room


def check_room_still_allowed(
    session: Session, visit: Visit, readiness: ReadinessSource
) -> RoomOption | None:
    """The visit's room if a flagged visitor may not use it now (no override on record)."""
    if visit.room_id is None or not _flagged(visit) or visit.room_override_by_id is not None:
        return None
    options = {o.room_id: o for o in room_options(session, visit.office_id, readiness)}
    room = options.get(visit.room_id)
    if room is not None and not room.alarm_ok:
        return room
    return None


def mark_arrived(
    session: Session,
    actor: Actor,
    now: datetime,
    visit_id: int,
    search: PersonSearch,
    readiness: ReadinessSource,
) -> VisitView:
    """The visitor is here: re-matched, warnings must be acknowledged, the host is told."""
    visit = _get(session, visit_id)
    if visit.arrived_at is not None:
        raise VisitError(f"{visit.visitor_name} is already booked in.")
    pending = recheck_warnings(session, visit, search, now)
    names = _staff_names(session)
    if pending:
        raise WarningsPending([_warning_view(w, names) for w in pending])
    if visit.room_id is None and _flagged(visit):
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
        flagged=_flagged(visit),
        host_officer_id=visit.host_officer_id,
        visitor_name=visit.visitor_name,
        risk_notes_shown=visit.risk_notes if visit.high_risk else None,
    )
    session.flush()
    return _view(session, visit, names)


def mark_left(session: Session, actor: Actor, now: datetime, visit_id: int) -> None:
    visit = _get(session, visit_id)
    if visit.arrived_at is None:
        raise VisitError(f"{visit.visitor_name} has not been booked in.")
    if visit.left_at is None:
        visit.left_at = now
        audit.record(
            session, actor, "visit_left", at=now, subject_type="visit", subject_id=visit.id
        )


def mark_notice_seen(session: Session, actor: Actor, now: datetime, visit_id: int) -> None:
    """The host officer closed "Your visitor has arrived"."""
    visit = _get(session, visit_id)
    if visit.host_seen_at is None:
        visit.host_seen_at = now
        audit.record(
            session,
            actor,
            "visit_host_notice_seen",
            at=now,
            subject_type="visit",
            subject_id=visit.id,
            flagged=_flagged(visit),
        )


def _validate_visitor(
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
    _validate_visitor(person_id, walk_in, purpose, today=now.date())
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


def update_walk_in(
    session: Session,
    actor: Actor,
    now: datetime,
    visit_id: int,
    search: PersonSearch,
    walk_in: WalkIn,
) -> VisitView:
    """Correct a walk-in's details; matched again at once (the save is what matters)."""
    _validate_visitor(None, walk_in, today=now.date())
    visit = _get(session, visit_id)
    visit.walk_in_name = tidy_name(walk_in.name)
    visit.walk_in_date_of_birth = walk_in.date_of_birth
    visit.walk_in_postcode = walk_in.postcode
    recheck_warnings(session, visit, search, now)
    audit.record(session, actor, "visit_updated", at=now, subject_type="visit", subject_id=visit.id)
    return _view(session, visit, _staff_names(session))


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
    _validate_visitor(request.person_id, request.walk_in, request.purpose, today=now.date())
    if request.visit_id is not None:
        visit = _get(session, request.visit_id)
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
    names = _staff_names(session)
    for row in pending:
        reason = request.dismissed.get(row.person_id)
        if reason is not None and not row.booked_person:
            dismiss_candidate(session, actor, now, row.id, reason)
    still = [w for w in pending if w.dismissed_at is None]
    unseen = [
        w for w in still if not set(w.marker_ids) <= set(request.acknowledged.get(w.person_id, ()))
    ]
    if unseen:
        raise WarningsPending([_warning_view(w, names) for w in unseen])
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


# ---------------------------------------------------------------------- on the record


@dataclass(frozen=True)
class WarnedPerson:
    """A flagged record the receptionist was warned about, as the warning showed it."""

    person_id: int
    name: str
    marker_ids: tuple[int, ...]
    booked_person: bool


def record_stopped_after_warning(
    session: Session,
    actor: Actor,
    now: datetime,
    *,
    office_id: int,
    warned: Collection[WarnedPerson],
    visit_id: int | None = None,
    typed_query: str = "",
    stage: str = "stopped at the warning",
) -> None:
    """The booking stopped after a flag warning: the flagged person came to the desk anyway.

    Seed 004 asks for every incident and near miss to be recorded; a flagged person turned
    away, or a booking abandoned after the warning, is one the office must be able to find.
    """
    if not warned:
        return
    office = session.get(Office, office_id)
    audit.record(
        session,
        actor,
        "visit_stopped_after_warning",
        at=now,
        subject_type="visit" if visit_id is not None else "office",
        subject_id=visit_id if visit_id is not None else office_id,
        office_id=office_id,
        office=office.name if office else None,
        stage=stage,
        typed_query=typed_query.strip(),
        people=[
            {
                "person_id": w.person_id,
                "name": w.name,
                "marker_ids": list(w.marker_ids),
                "booked_person": w.booked_person,
            }
            for w in warned
        ],
    )
    session.flush()


# ---------------------------------------------------------------------- rooms whose alarm failed

ALARM_FAILURES = frozenset({Readiness.OFFLINE, Readiness.FAILED, Readiness.NO_BUTTON})
"""Room states that mean the panic button cannot be relied on now (OVERDUE is untested, not
failed: it is shown in the room list, but does not interrupt a meeting)."""


@dataclass(frozen=True)
class RoomAlarmProblem:
    """A visitor who needs a working alarm is in a room whose button has gone offline or failed."""

    visit: VisitView
    room: RoomOption

    @property
    def key(self) -> tuple[int, int, str]:
        """Same visit, room and state: the same problem (told once per screen)."""
        return (self.visit.id, self.room.room_id, self.room.status.value)

    @property
    def headline(self) -> str:
        return f"PANIC ALARM NOT WORKING in {self.room.name}: {self.room.summary}"

    @property
    def who(self) -> str:
        what = "flagged file" if self.visit.flagged else "high-risk meeting"
        host = self.visit.host_name or "no host officer named"
        return f"{self.visit.visitor_name} ({what}) is in {self.room.name} with {host}."


def room_alarm_problems(
    session: Session,
    office_id: int,
    readiness: ReadinessSource,
    *,
    host_officer_id: int | None = None,
) -> list[RoomAlarmProblem]:
    """Flagged or high-risk visitors in the building whose room's alarm has stopped working."""
    query = select(Visit).where(
        Visit.office_id == office_id,
        Visit.arrived_at.is_not(None),
        Visit.left_at.is_(None),
        Visit.room_id.is_not(None),
    )
    if host_officer_id is not None:
        query = query.where(Visit.host_officer_id == host_officer_id)
    visits = session.scalars(query.order_by(Visit.arrived_at)).all()
    wanted = [v for v in visits if _flagged(v)]
    if not wanted:
        return []
    options = {o.room_id: o for o in room_options(session, office_id, readiness)}
    names = _staff_names(session)
    problems = []
    for visit in wanted:
        room = options.get(visit.room_id) if visit.room_id is not None else None
        if room is not None and room.status in ALARM_FAILURES:
            problems.append(RoomAlarmProblem(_view(session, visit, names), room))
    return problems


def host_alarm_problems(
    session: Session, staff_id: int, readiness: ReadinessSource
) -> list[RoomAlarmProblem]:
    """The same, for the visitors one officer is hosting, in whichever office they are."""
    offices = session.scalars(
        select(Visit.office_id)
        .where(
            Visit.host_officer_id == staff_id,
            Visit.arrived_at.is_not(None),
            Visit.left_at.is_(None),
            Visit.room_id.is_not(None),
        )
        .distinct()
    ).all()
    found: list[RoomAlarmProblem] = []
    for office_id in offices:
        found.extend(room_alarm_problems(session, office_id, readiness, host_officer_id=staff_id))
    return found


def record_alarm_problem_seen(
    session: Session, actor: Actor, now: datetime, problem: RoomAlarmProblem
) -> None:
    """Someone read "panic alarm not working" for a room with a flagged visitor in it."""
    audit.record(
        session,
        actor,
        "room_alarm_problem_seen",
        at=now,
        subject_type="visit",
        subject_id=problem.visit.id,
        room_id=problem.room.room_id,
        room=problem.room.name,
        room_status=problem.room.status.value,
        room_status_text=problem.room.summary,
        visitor_name=problem.visit.visitor_name,
    )
    session.flush()
