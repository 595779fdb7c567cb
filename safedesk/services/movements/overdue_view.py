"""What an OVERDUE alert shows: a view model built in the core, rendered as is by the screens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import Marker, Office, Person
from safedesk.models.movements import Movement, OverdueAlert, OverdueOutcome, OverdueReason
from safedesk.services.markers.warnings import visible_instructions
from safedesk.services.movements.check_in import staff_name


@dataclass(frozen=True)
class MarkerLine:
    """A person with a marker at the visit address and what staff must do."""

    person_name: str
    instructions: tuple[str, ...]


@dataclass(frozen=True)
class OverdueView:
    overdue_id: int
    movement_id: int
    office_id: int
    office_name: str
    reason: OverdueReason
    due_at: datetime
    raised_at: datetime
    officer_id: int
    officer_name: str
    phone: str
    second_officer_name: str | None
    address: str
    postcode: str | None
    seeing: str
    leaving_at: datetime
    expected_back_at: datetime
    transport: str | None
    notes: str | None
    markers: tuple[MarkerLine, ...]
    taken_by_name: str | None
    taken_at: datetime | None
    escalated_managers_at: datetime | None
    escalated_all_at: datetime | None
    police_called_at: datetime | None
    police_called_by_name: str | None
    resolved_at: datetime | None
    resolved_by_name: str | None
    outcome: OverdueOutcome | None
    resolution_notes: str | None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def overdue_s(self, now: datetime) -> float:
        """Seconds since the officer was expected back (the expected return, not the deadline)."""
        return max(0.0, (now - self.expected_back_at).total_seconds())


def markers_of(session: Session, marker_ids: list[int]) -> tuple[MarkerLine, ...]:
    """The markers shown before leaving, as staff may see them now (restricted stay restricted)."""
    if not marker_ids:
        return ()
    rows = session.execute(
        select(Marker, Person)
        .join(Person, Person.id == Marker.person_id)
        .where(Marker.id.in_(marker_ids))
        .order_by(Person.surname, Marker.id)
    ).all()
    by_person: dict[str, list[str]] = {}
    for marker, person in rows:
        lines = by_person.setdefault(person.full_name, [])
        lines.extend(i for i in visible_instructions(marker) if i not in lines)
    return tuple(MarkerLine(name, tuple(lines)) for name, lines in by_person.items())


def build_view(session: Session, alert: OverdueAlert) -> OverdueView:
    movement = session.get_one(Movement, alert.movement_id)
    office = session.get(Office, alert.office_id)

    def name(staff_id: int | None) -> str | None:
        return staff_name(session, staff_id) if staff_id is not None else None

    return OverdueView(
        overdue_id=alert.id,
        movement_id=movement.id,
        office_id=alert.office_id,
        office_name=office.name if office is not None else "",
        reason=alert.reason,
        due_at=alert.due_at,
        raised_at=alert.raised_at,
        officer_id=movement.officer_id,
        officer_name=staff_name(session, movement.officer_id),
        phone=movement.phone,
        second_officer_name=name(movement.second_officer_id),
        address=movement.address,
        postcode=movement.postcode,
        seeing=movement.person_name or "",
        leaving_at=movement.leaving_at,
        expected_back_at=movement.expected_back_at,
        transport=movement.transport,
        notes=movement.notes,
        markers=markers_of(session, list(movement.marker_ids or [])),
        taken_by_name=name(alert.taken_by_id),
        taken_at=alert.taken_at,
        escalated_managers_at=alert.escalated_managers_at,
        escalated_all_at=alert.escalated_all_at,
        police_called_at=alert.police_called_at,
        police_called_by_name=name(alert.police_called_by_id),
        resolved_at=alert.resolved_at,
        resolved_by_name=name(alert.resolved_by_id),
        outcome=alert.outcome,
        resolution_notes=alert.notes,
    )
