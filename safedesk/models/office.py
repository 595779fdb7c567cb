"""Offices, their rooms, the panic devices in them, and the PCs (workstations) that show alarms."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safedesk.button_events import DeviceKind
from safedesk.models.base import Base, enum_column


class RoomKind(enum.StrEnum):
    INTERVIEW_ROOM = "interview_room"
    RECEPTION_DESK = "reception_desk"


class Office(Base):
    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    address: Mapped[str] = mapped_column(String(400))
    # What a responder reads out to 999; kept apart from the postal address on purpose.
    phone: Mapped[str | None] = mapped_column(String(40))
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/London")

    rooms: Mapped[list[Room]] = relationship(back_populates="office", order_by="Room.name")


class Room(Base):
    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("office_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[RoomKind] = mapped_column(enum_column(RoomKind, "room_kind"))
    # Where it is, for a responder who does not know the building ("first floor, past the lifts").
    location: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)

    office: Mapped[Office] = relationship(back_populates="rooms")
    devices: Mapped[list[PanicDevice]] = relationship(back_populates="room")


class PanicDevice(Base):
    __tablename__ = "panic_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The id the device itself reports (firmware serial, "gpio:pi-room3:17", "hotkey:RECEPTION-PC1").
    device_id: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[DeviceKind] = mapped_column(enum_column(DeviceKind, "device_kind"))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"), index=True)
    label: Mapped[str | None] = mapped_column(String(120))
    last_seen_at: Mapped[datetime | None]
    firmware_version: Mapped[str | None] = mapped_column(String(40))
    # Seconds without a heartbeat before the device is shown OFFLINE; None uses the config default.
    offline_after_s: Mapped[int | None]
    # Supervision: when DeviceOffline was published for the current silence (None: online, or
    # not yet announced). The compare-and-set on it makes one PC announce each change, once.
    offline_reported_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    registered_at: Mapped[datetime]
    # Where the device is registered to be heard (None: not bound on that part). A frame from
    # elsewhere raises "unknown location", never this room (services/device_binding.py).
    bound_host: Mapped[str | None] = mapped_column(String(120))  # bridge or PC name
    bound_port: Mapped[str | None] = mapped_column(String(255))  # serial port URL
    bound_usb_serial: Mapped[str | None] = mapped_column(String(80))

    room: Mapped[Room | None] = relationship(back_populates="devices")


class Workstation(Base):
    """A PC (or bridge) running SafeDesk: which office it serves and, for reception, which desk."""

    __tablename__ = "workstations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    desk_room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    mode: Mapped[str] = mapped_column(String(32), default="reception")
    last_seen_at: Mapped[datetime | None]
    # A PC that cannot play sound must say so; responders need to know which screens are silent.
    sound_ok: Mapped[bool | None]
    # Who is signed in on it now (0010): with last_seen_at (server time) this says whether a
    # responder on the rota can be reached, and who is at a reception desk.
    signed_in_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    # The name as configured (workstation.name); None when only the host name is known (0010).
    label: Mapped[str | None] = mapped_column(String(120))
