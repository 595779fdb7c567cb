"""One visit as reception reads it: the views the screens show, loading a visit, VisitError.

A warning is shown as the markers' instructions, never their reasons. A visit needs a room
whose panic alarm works when its file is flagged or the meeting is high-risk
(``needs_working_alarm``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import Person, Room, Staff, Visit, VisitWarning


class VisitError(Exception):
    """A request reception cannot carry out, phrased for the receptionist."""


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


def _person_name(person: Person) -> str:
    return person.full_name


def view_of(session: Session, visit: Visit, names: Mapping[int, str]) -> VisitView:
    """The visit as the screens show it; `names` is ``staff_names(session)``, read once."""
    person = visit.person
    room = session.get(Room, visit.room_id) if visit.room_id else None
    warnings = tuple(warning_view_of(w, names) for w in visit.warnings if w.marker_ids)
    return VisitView(
        id=visit.id,
        office_id=visit.office_id,
        visitor_name=visit.visitor_name,
        person_id=visit.person_id,
        date_of_birth=visit.visitor_date_of_birth,  # as recorded for the visit (0007)
        postcode=person.postcode if person else visit.walk_in_postcode,
        tenancy_ref=person.tenancy_ref if person else None,
        host_officer_id=visit.host_officer_id,
        host_name=names.get(visit.host_officer_id) if visit.host_officer_id else None,
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


def warning_view_of(row: VisitWarning, names: Mapping[int, str]) -> WarningView:
    """One warning as the screens show it: the instructions, never the reasons."""
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
        acknowledged_by=names.get(row.acknowledged_by_id) if row.acknowledged_by_id else None,
        dismissed_reason=row.dismissed_reason,
    )


def staff_names(session: Session) -> dict[int, str]:
    """Staff id -> name, for hosts and for who acknowledged a warning."""
    return {sid: name for sid, name in session.execute(select(Staff.id, Staff.name))}


def get_visit(session: Session, visit_id: int) -> Visit:
    """The visit row, or VisitError if there is none."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise VisitError(f"no visit with id {visit_id}")
    return visit


def view_visit(session: Session, visit_id: int) -> VisitView:
    return view_of(session, get_visit(session, visit_id), staff_names(session))


def needs_working_alarm(visit: Visit) -> bool:
    """Needs a room with a working alarm: a flagged file, or a meeting registered as high-risk."""
    return visit.high_risk or any(w.marker_ids and w.dismissed_at is None for w in visit.warnings)
