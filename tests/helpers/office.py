"""The offices tests build on a real database.

- The demo office (``safedesk.demo.office``: two offices, rooms with buttons, staff, a rota) read
  back as a ``SeededOffice``; the ``office`` and ``services`` fixtures give it to any test.
- The parts each area's own small office is made of (reception/world.py, markers/office_world.py,
  movements/world.py): a member of staff with roles, a person on record, a marker, a room with
  its panic button. Each area keeps its own people, rooms and names; only the building is here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.button_events import DeviceKind
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.demo.office import seed_office
from safedesk.models import (
    Marker,
    MarkerCategory,
    MarkerStatus,
    Office,
    PanicDevice,
    Person,
    PersonAlias,
    Role,
    Room,
    RoomKind,
    Staff,
    StaffRole,
)
from safedesk.services.hub import Services
from safedesk.services.shared.actor import Actor

DEMO_OFFICE = "Derby Central Housing Office"


@dataclass(frozen=True)
class SeededOffice:
    """The demo office's Derby Central office as ids: its rooms, their buttons, every login."""

    office_id: int
    other_office_id: int
    room_ids: dict[str, int]
    device_ids: dict[str, str]  # room name -> device id
    staff_ids: dict[str, int]  # login -> id

    def actor(self, login: str) -> Actor:
        return Actor(staff_id=self.staff_ids[login], login=login, workstation=f"PC-{login}")


def seed_demo_office(s: Session, now: datetime) -> SeededOffice:
    """Seed the demo office (``safedesk.demo.office``) and read back what the tests refer to."""
    offices = seed_office(s, now)
    central = offices[DEMO_OFFICE]
    other = next(o for o in offices.values() if o is not central)
    rooms = s.scalars(select(Room).where(Room.office_id == central.id)).all()
    devices = {
        room.name: s.scalars(
            select(PanicDevice.device_id).where(PanicDevice.room_id == room.id)
        ).one()
        for room in rooms
    }
    staff = {m.login: m.id for m in s.scalars(select(Staff))}
    assert s.get(Office, central.id) is not None
    return SeededOffice(
        office_id=central.id,
        other_office_id=other.id,
        room_ids={r.name: r.id for r in rooms},
        device_ids=devices,
        staff_ids=staff,
    )


@pytest.fixture
def office(db: Database, clock: FakeClock) -> SeededOffice:
    """The demo office, seeded into the test's database."""
    with db.session() as s:
        return seed_demo_office(s, clock.now())


@pytest.fixture
def services(db: Database, clock: FakeClock) -> Iterator[Services]:
    """The core's services on the test's database, as one PC ("TEST-PC") builds them."""
    hub = Services.build(Config(), db, clock, "TEST-PC")
    yield hub
    hub.close()


def add_staff(
    s: Session,
    office_id: int,
    name: str,
    login: str,
    roles: Iterable[Role],
    now: datetime,
    *,
    password_hash: str | None = None,
) -> Staff:
    """A member of staff of ``office_id`` with ``roles`` (no password: cannot sign in)."""
    member = Staff(
        name=name,
        login=login,
        password_hash=password_hash,
        home_office_id=office_id,
        created_at=now,
        roles=[StaffRole(role=role) for role in roles],
    )
    s.add(member)
    s.flush()
    return member


def add_person(
    s: Session,
    now: datetime,
    forenames: str,
    surname: str,
    *,
    born: date | None = None,
    aliases: Iterable[str] = (),
    **fields: Any,
) -> int:
    """A person on record (address, postcode, tenancy_ref, source as given); their id."""
    person = Person(
        forenames=forenames,
        surname=surname,
        date_of_birth=born,
        created_at=now,
        updated_at=now,
        aliases=[PersonAlias(name=alias) for alias in aliases],
        **fields,
    )
    s.add(person)
    s.flush()
    return person.id


def add_marker(
    s: Session,
    person_id: int,
    *,
    placed_at: datetime,
    review_due: date,
    instructions: Iterable[str],
    category: MarkerCategory = MarkerCategory.VIOLENCE_AGGRESSION,
    **fields: Any,
) -> Marker:
    """An active marker on ``person_id``, placed at ``placed_at`` (restricted etc. as given)."""
    marker = Marker(
        person_id=person_id,
        category=category,
        instructions=list(instructions),
        placed_at=placed_at,
        review_due=review_due,
        status=MarkerStatus.ACTIVE,
        **fields,
    )
    s.add(marker)
    s.flush()
    return marker


def add_room_with_button(
    s: Session,
    office_id: int,
    name: str,
    *,
    device_id: str | Callable[[Room], str],
    label: str,
    heard_at: datetime,
    registered_at: datetime,
    kind: RoomKind = RoomKind.INTERVIEW_ROOM,
    device_kind: DeviceKind = DeviceKind.SERIAL,
    **room_fields: Any,
) -> tuple[Room, PanicDevice]:
    """A room with its panic button, last heard from at ``heard_at`` (online then); the button's
    ``device_id`` as given, or made from the new room (``lambda room: f"pico-{room.id}"``)."""
    room = Room(office_id=office_id, name=name, kind=kind, **room_fields)
    s.add(room)
    s.flush()
    device = PanicDevice(
        device_id=device_id if isinstance(device_id, str) else device_id(room),
        kind=device_kind,
        room_id=room.id,
        label=label,
        last_seen_at=heard_at,
        registered_at=registered_at,
    )
    s.add(device)
    s.flush()
    return room, device
