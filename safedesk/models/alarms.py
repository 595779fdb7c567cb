"""Alarm events (which become incident records), the presses behind them, responses, and the bus log.

An alarm is one emergency in one room. Presses are what devices sent: a resent frame carries the
same (device, boot, sequence) and is recognised by the unique constraint; a new press while the
room's alarm is open is recorded here as "pressed again" on that alarm.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safedesk.button_events import DeviceKind
from safedesk.models.base import Base, enum_column


class AlarmOutcome(enum.StrEnum):
    FALSE_ALARM = "false_alarm"
    RESOLVED_ON_SITE = "resolved_on_site"
    POLICE_CALLED = "police_called"
    AMBULANCE_CALLED = "ambulance_called"


class AlarmEvent(Base):
    __tablename__ = "alarm_events"
    __table_args__ = (
        Index("ix_alarm_events_open", "room_id", "resolved_at"),
        Index("ix_alarm_events_raised_at", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_pk: Mapped[int | None] = mapped_column(ForeignKey("panic_devices.id"))
    # The id as reported, kept even when no device is registered under it ("unknown location").
    device_id: Mapped[str] = mapped_column(String(80))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    source: Mapped[DeviceKind] = mapped_column(enum_column(DeviceKind, "alarm_source"))
    device_sequence: Mapped[int | None] = mapped_column(BigInteger)
    pressed_at: Mapped[datetime]  # the device's time of the first press
    raised_at: Mapped[datetime]  # when the system recorded it
    press_count: Mapped[int] = mapped_column(default=1)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    acknowledged_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    resolved_at: Mapped[datetime | None]
    outcome: Mapped[AlarmOutcome | None] = mapped_column(enum_column(AlarmOutcome, "alarm_outcome"))
    notes: Mapped[str | None] = mapped_column(Text)
    is_test: Mapped[bool] = mapped_column(default=False)
    # Unknown location: where the press was heard ("port COM5 (USB serial ...) on BRIDGE-1").
    heard_on: Mapped[str | None] = mapped_column(String(255))
    # Who was in the room when it was raised (the visit), for the incident record.
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    # Seed 004: manager follow-up after an incident (debrief, letter, support for staff).
    debriefed_at: Mapped[datetime | None]
    debriefed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    follow_up_notes: Mapped[str | None] = mapped_column(Text)

    presses: Mapped[list[AlarmPress]] = relationship(
        back_populates="alarm", cascade="all, delete-orphan", order_by="AlarmPress.id"
    )
    responses: Mapped[list[AlarmResponse]] = relationship(
        back_populates="alarm", cascade="all, delete-orphan", order_by="AlarmResponse.at"
    )


class AlarmPress(Base):
    __tablename__ = "alarm_presses"
    __table_args__ = (UniqueConstraint("device_id", "boot_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alarm_id: Mapped[int] = mapped_column(
        ForeignKey("alarm_events.id", ondelete="CASCADE"), index=True
    )
    device_id: Mapped[str] = mapped_column(String(80))
    boot_id: Mapped[int] = mapped_column(BigInteger, default=0)
    sequence: Mapped[int] = mapped_column(BigInteger)
    pressed_at: Mapped[datetime]
    received_at: Mapped[datetime]

    alarm: Mapped[AlarmEvent] = relationship(back_populates="presses")


class AlarmResponse(Base):
    """A member of staff saying "I'm responding" (several may go)."""

    __tablename__ = "alarm_responses"
    __table_args__ = (UniqueConstraint("alarm_id", "staff_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alarm_id: Mapped[int] = mapped_column(
        ForeignKey("alarm_events.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    workstation: Mapped[str | None] = mapped_column(String(120))
    at: Mapped[datetime]

    alarm: Mapped[AlarmEvent] = relationship(back_populates="responses")


class BusEvent(Base):
    """The alarm bus's log: every screen reads events by increasing id, so none is ever missed.

    PostgreSQL additionally NOTIFYs the id for speed; the table is the truth.
    """

    __tablename__ = "bus_events"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    alarm_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_events.id"))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
