"""Visits: who is expected, who has arrived, where they are, and who acknowledged the warning."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safedesk.models.base import Base
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

    person: Mapped[Person | None] = relationship()

    @property
    def visitor_name(self) -> str:
        if self.person is not None:
            return self.person.full_name
        return self.walk_in_name or "(unnamed visitor)"
