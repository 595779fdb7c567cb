"""A small real office for reception tests: rooms with panic buttons, staff, people, markers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from safedesk.db import Database
from safedesk.models import (
    AlarmTest,
    FailReason,
    MarkerCategory,
    MarkerRestricted,
    Office,
    PanicDevice,
    Role,
    Room,
    Staff,
    TestResult,
)
from safedesk.services.shared.actor import Actor
from safedesk.services.staff.passwords import hash_password
from tests.helpers.office import add_marker, add_person, add_room_with_button, add_staff

MANAGER_PASSWORD = "correct horse battery"
RESTRICTED_REASON = "Scheduled offence: assault on a public servant"


@dataclass
class World:
    office_id: int
    receptionist: Actor
    officer_id: int
    manager_login: str
    officer_login: str
    rooms: dict[str, int]
    people: dict[str, int]

    @property
    def officer(self) -> Actor:
        return Actor(self.officer_id, self.officer_login, "OFFICER-PC")


def build_world(db: Database, now: datetime) -> World:
    with db.session() as s:
        office = Office(name="Derby Central", address="Corporation St, Derby DE1 2FS")
        s.add(office)
        s.flush()
        rooms: dict[str, int] = {}
        for name in ("Interview Room 1", "Interview Room 2", "Interview Room 3"):
            room, _ = add_room_with_button(
                s,
                office.id,
                name,
                device_id=lambda room: f"pico-{room.id}",
                label=f"Panic button, {name}",
                heard_at=now,
                registered_at=now,
            )
            rooms[name] = room.id
        hashed = hash_password(MANAGER_PASSWORD)

        def staff(name: str, login: str, *roles: Role) -> Staff:
            return add_staff(s, office.id, name, login, roles, now, password_hash=hashed)

        receptionist = staff("Priya Sharma", "psharma", Role.RECEPTION)
        officer = staff("Tom Whitfield", "twhitfield", Role.OFFICER)
        staff("Helen Marsh", "hmarsh", Role.MANAGER)

        def person(
            fore: str, sur: str, dob: date | None, postcode: str, ref: str, *aliases: str
        ) -> int:
            return add_person(
                s, now, fore, sur, born=dob, aliases=aliases, postcode=postcode, tenancy_ref=ref
            )

        people = {
            "john_smith": person("John", "Smith", date(1985, 3, 6), "DE1 2AB", "T1001"),
            "jon_smyth": person("Jon", "Smyth", date(1985, 3, 6), "DE1 2AB", "T1002"),
            "margaret_jones": person(
                "Margaret", "Jones", date(1960, 5, 14), "DE23 8FZ", "T1003", "Peggy Jones"
            ),
            "alan_brown": person("Alan", "Brown", date(1970, 1, 2), "DE22 3CD", "T1004"),
        }
        add_marker(
            s,
            people["john_smith"],
            category=MarkerCategory.OFFENDER,
            instructions=["Two officers present for any meeting", "No lone interviews"],
            restricted=True,
            contact_role="asb_manager",
            placed_at=now - timedelta(days=30),
            review_due=(now + timedelta(days=150)).date(),
            restricted_detail=MarkerRestricted(reason=RESTRICTED_REASON),
        )
        return World(
            office_id=office.id,
            receptionist=Actor(receptionist.id, receptionist.login, "RECEPTION-PC1"),
            officer_id=officer.id,
            manager_login="hmarsh",
            officer_login="twhitfield",
            rooms=rooms,
            people=people,
        )


def place_marker(db: Database, person_id: int, now: datetime, *instructions: str) -> int:
    with db.session() as s:
        marker = add_marker(
            s,
            person_id,
            placed_at=now,
            review_due=(now + timedelta(days=180)).date(),
            instructions=instructions,
        )
        return marker.id


def fail_weekly_test(db: Database, room_id: int, tester_id: int, now: datetime) -> None:
    """The room's button failed its weekly test this morning (no signal reached the screens)."""
    with db.session() as s:
        device = s.scalar(select(PanicDevice).where(PanicDevice.room_id == room_id))
        assert device is not None
        room = s.get(Room, room_id)
        assert room is not None
        s.add(
            AlarmTest(
                week_start=now.date() - timedelta(days=now.weekday()),
                device_pk=device.id,
                office_id=room.office_id,
                tester_id=tester_id,
                started_at=now - timedelta(minutes=10),
                window_ends_at=now - timedelta(minutes=8),
                result=TestResult.FAIL,
                fail_reason=FailReason.NO_SIGNAL,
                completed_at=now - timedelta(minutes=8),
            )
        )
