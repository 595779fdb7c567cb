"""What an alert screen shows, as plain frozen data: the desktop renders it and computes nothing.

Built by ``AlarmService.alert``/``open_alarms`` in one read; marker text comes only through
``marker_warnings`` (instructions, never restricted reasons).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from safedesk.button_events import DeviceKind
from safedesk.models import AlarmOutcome, RoomKind


@dataclass(frozen=True)
class ResponderView:
    """Someone who said "I'm responding"."""

    staff_id: int
    name: str
    workstation: str | None  # the PC's configured name (never its host name); None: not named
    at: datetime


@dataclass(frozen=True)
class VisitorInRoom:
    """Who was in the room when the alarm was raised (today's visit), and what staff must know."""

    visit_id: int
    name: str
    person_id: int | None
    host_officer: str | None
    purpose: str | None
    high_risk: bool
    marker_instructions: tuple[str, ...]  # from marker_warnings: instructions only, never reasons
    flagged: bool  # has at least one active marker (the red triangle)


@dataclass(frozen=True)
class StaffInRoom:
    """A member of staff who is (as far as the system knows) in the room or at the desk."""

    name: str
    why: str  # "seeing John Bell" (the visit's host officer), "signed in at this desk"
    workstation: str | None  # the desk PC's configured name, when that is how we know


@dataclass(frozen=True)
class AlertView:
    """Everything the full-screen alert (and the smaller notice, and "Call 999") needs."""

    alarm_id: int
    office_id: int | None
    office_name: str
    office_address: str  # read out to 999
    office_phone: str | None
    room_id: int | None
    room_name: str
    room_location: str | None  # "first floor, past the lifts"
    room_kind: RoomKind | None  # None: unknown location
    unknown_location: bool  # unregistered device: find it by its id
    device_id: str
    source: DeviceKind
    pressed_at: datetime
    raised_at: datetime
    press_count: int
    is_test: bool
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None  # who resolved it (a name), for the screens that did not
    outcome: AlarmOutcome | None
    visitors: tuple[VisitorInRoom, ...]
    responders: tuple[ResponderView, ...]
    staff: tuple[StaffInRoom, ...]  # host officers; whoever is signed in at a desk
    waiting: tuple[VisitorInRoom, ...]  # desk alarms: arrived, not yet in a room (latest first)

    @property
    def is_desk(self) -> bool:
        return self.room_kind is RoomKind.RECEPTION_DESK

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def elapsed_s(self, now: datetime) -> float:
        """Seconds since raised, for the live counter (the caller passes its clock's now)."""
        return max(0.0, (now - self.raised_at).total_seconds())

    @property
    def call_999_text(self) -> str:
        """What to read out to the emergency operator."""
        where = self.room_name + (f" ({self.room_location})" if self.room_location else "")
        if self.unknown_location:
            return f"Location not known: {where}. Say which building you are calling from."
        text = f"{self.office_name}, {self.office_address}. Room: {where}."
        if self.office_phone:
            text += f" Call-back number: {self.office_phone}."
        return text
