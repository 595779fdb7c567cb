"""A small real office for weekly-test tests: rooms, one panic button each, staff who test."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from safedesk.button_events import DeviceKind
from safedesk.db import Database
from safedesk.models import Office, PanicDevice, Role, RoomKind
from safedesk.services.shared.actor import Actor
from tests.helpers.office import add_room_with_button, add_staff


@dataclass
class TestOffice:
    __test__ = False  # not a pytest test class

    office_id: int
    rooms: dict[str, int] = field(default_factory=dict)  # room name -> room id
    devices: dict[str, int] = field(default_factory=dict)  # room name -> device pk
    device_ids: dict[str, str] = field(default_factory=dict)  # room name -> device_id
    staff: dict[str, Actor] = field(default_factory=dict)  # login -> actor

    def actor(self, login: str) -> Actor:
        return self.staff[login]


ROOMS = ("Interview Room 1", "Interview Room 2", "Interview Room 3", "Reception desk 1")


def build_office(
    db: Database, now: datetime, *, rooms: tuple[str, ...] = ROOMS, name: str = "Northgate"
) -> TestOffice:
    """An office in Europe/London whose buttons were all heard from at ``now``."""
    with db.session() as s:
        office = Office(
            name=name, address="1 High Street, Northgate NG1 1AA", time_zone="Europe/London"
        )
        s.add(office)
        s.flush()
        built = TestOffice(office_id=office.id)
        for i, room_name in enumerate(rooms, start=1):
            room, device = add_room_with_button(
                s,
                office.id,
                room_name,
                kind=RoomKind.RECEPTION_DESK
                if "Reception" in room_name
                else RoomKind.INTERVIEW_ROOM,
                location="Ground floor",
                device_id=f"{name.lower()}-button-{i}",
                device_kind=DeviceKind.SERIAL if i % 2 else DeviceKind.GPIO,
                label=f"Under the desk, {room_name}",
                heard_at=now,
                registered_at=datetime(2025, 1, 1, tzinfo=now.tzinfo),
            )
            built.rooms[room_name] = room.id
            built.devices[room_name] = device.id
            built.device_ids[room_name] = device.device_id
        for login, person, role in (
            ("asha", "Asha Patel", Role.RECEPTION),
            ("ben", "Ben Okafor", Role.OFFICER),
            ("carol", "Carol Hughes", Role.RESPONDER),
        ):
            staff = add_staff(s, office.id, person, f"{name.lower()}-{login}", [role], now)
            built.staff[login] = Actor(staff.id, staff.login, "PC-1")
        return built


def heard_now(db: Database, device_pk: int, now: datetime) -> None:
    """A heartbeat: the button is online at ``now``."""
    with db.session() as s:
        device = s.get(PanicDevice, device_pk)
        assert device is not None
        device.last_seen_at = now


def record_press(db: Database, test_id: int, pressed_at: datetime, received_at: datetime) -> None:
    """What the alarm path writes on a test row when the button is pressed in its window.

    Used where a test is about the checklist, not the press path (which has its own tests).
    """
    from safedesk.models import AlarmTest

    with db.session() as s:
        test = s.get(AlarmTest, test_id)
        assert test is not None
        test.pressed_at = pressed_at
        test.received_at = received_at
        test.latency_ms = (received_at - pressed_at).total_seconds() * 1000
