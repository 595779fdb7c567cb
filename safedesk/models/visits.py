"""Visits: who is expected, who has arrived, where they are, and who acknowledged the warning."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from safedesk.models.base import Base, JSONType
from safedesk.models.people import Person


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (
        Index("ix_visits_room_arrived", "room_id", "arrived_at"),
        Index("ix_visits_office_expected", "office_id", "expected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    # A walk-in not (yet) found in the records: booked by name and matched again on every save.
    walk_in_name: Mapped[str | None] = mapped_column(String(240))
    walk_in_date_of_birth: Mapped[date | None]
    walk_in_postcode: Mapped[str | None] = mapped_column(String(10))
    host_officer_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    purpose: Mapped[str | None] = mapped_column(String(200))
    # Registered in advance by the officer as a high-risk meeting (seed 004: tell reception first).
    high_risk: Mapped[bool] = mapped_column(default=False)
    risk_notes: Mapped[str | None] = mapped_column(Text)
    expected_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime]
    warning_acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    warning_acknowledged_at: Mapped[datetime | None]
    # A manager let a flagged visitor use a room whose alarm is not known to work.
    room_override_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    room_override_reason: Mapped[str | None] = mapped_column(Text)
    host_notified_at: Mapped[datetime | None]
    # The host officer closed the "Your visitor has arrived" notice (0004).
    host_seen_at: Mapped[datetime | None]
    # The visitor's name and date of birth as recorded when booked (and again on arrival), so
    # today's list, the alarm screen and the incident record keep saying who was there even if
    # the person's record is later corrected (0007). Filled by _record_visitor_names below.
    recorded_name: Mapped[str | None] = mapped_column(String(240))
    recorded_date_of_birth: Mapped[date | None]

    person: Mapped[Person | None] = relationship()
    warnings: Mapped[list[VisitWarning]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitWarning.id"
    )

    @property
    def visitor_name(self) -> str:
        """The name as recorded for this visit; the record's current name only before that."""
        if self.recorded_name:
            return self.recorded_name
        if self.person is not None:
            return self.person.full_name
        return self.walk_in_name or "(unnamed visitor)"

    @property
    def visitor_date_of_birth(self) -> date | None:
        if self.recorded_name:
            return self.recorded_date_of_birth
        if self.person is not None:
            return self.person.date_of_birth
        return self.walk_in_date_of_birth


class VisitWarning(Base):
    """One flagged record that warned for this visit: the booked person or a close match.

    Acknowledged (read and passed on) or dismissed as "not this person" with a reason. When the
    person's active markers change after that, the row is raised again, so a marker found later
    still warns (0004).
    """

    __tablename__ = "visit_warnings"
    __table_args__ = (UniqueConstraint("visit_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # True for the record the visitor was booked as; False for a close match on the shortlist.
    booked_person: Mapped[bool] = mapped_column(default=False)
    # The active markers and the instructions shown (never restricted reasons).
    marker_ids: Mapped[list[int]] = mapped_column(JSONType)
    instructions: Mapped[list[str]] = mapped_column(JSONType)
    raised_at: Mapped[datetime]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    acknowledged_at: Mapped[datetime | None]
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    dismissed_at: Mapped[datetime | None]
    dismissed_reason: Mapped[str | None] = mapped_column(Text)

    visit: Mapped[Visit] = relationship(back_populates="warnings")
    person: Mapped[Person] = relationship()


_VISITOR_COLUMNS = ("person_id", "person", "walk_in_name", "walk_in_date_of_birth")


def _visitor_person(session: Session, visit: Visit) -> Person | None:
    """Who the visit is booked as, whether set by id or through the relationship (not synced
    to person_id until the flush)."""
    if inspect(visit).attrs.person.history.has_changes():
        return visit.__dict__.get("person")
    if visit.person_id is not None:
        return session.get(Person, visit.person_id)
    return None


def _needs_recording(visit: Visit, new: bool) -> bool:
    if new:
        return visit.recorded_name is None
    state = inspect(visit)
    if any(state.attrs[name].history.has_changes() for name in _VISITOR_COLUMNS):
        return True  # booked as someone else: that is who the visit is now
    # Arriving: the name is recorded again as the record says it now, at the desk.
    arrived = state.attrs.arrived_at.history
    arrived_now = next(iter(arrived.added), None) is not None
    return arrived_now and all(old is None for old in arrived.deleted)


@event.listens_for(Session, "before_flush")
def _record_visitor_names(session: Session, _context: Any, _instances: Any) -> None:
    """Keep the visitor's name as recorded at booking and arrival, on every save of a visit.

    A flush hook rather than a call in each booking path, so no way of creating or changing a
    visit (desk, pre-registered meeting, walk-in, demo data) can leave it out.
    """
    candidates = [(v, True) for v in session.new if isinstance(v, Visit)]
    candidates += [(v, False) for v in session.dirty if isinstance(v, Visit)]
    for visit, new in candidates:
        if not _needs_recording(visit, new):
            continue
        person = _visitor_person(session, visit)
        if person is not None:
            visit.recorded_name = person.full_name
            visit.recorded_date_of_birth = person.date_of_birth
        else:
            visit.recorded_name = visit.walk_in_name
            visit.recorded_date_of_birth = visit.walk_in_date_of_birth
