"""The demo office: two offices, rooms with panic devices, staff with roles, a rota for the week.

Realistic enough that a newcomer can press a button and see the whole alarm path, and that the
reception, marker and weekly-test screens have something true-to-life to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safedesk.button_events import DeviceKind
from safedesk.models import (
    Office,
    PanicDevice,
    Role,
    Room,
    RoomKind,
    RotaShift,
    ShiftKind,
    Staff,
    StaffRole,
)
from safedesk.services.staff.passwords import hash_password

DEMO_PASSWORD = "demo"  # every demo account; the README says so


class DemoRefused(Exception):
    """The database already has staff: the demo's accounts (one shared, published password,
    an administrator among them) must never sit beside real ones."""


@dataclass(frozen=True)
class DemoRoom:
    name: str
    kind: RoomKind
    location: str
    device_id: str
    device_kind: DeviceKind


@dataclass(frozen=True)
class DemoOffice:
    name: str
    address: str
    phone: str
    rooms: tuple[DemoRoom, ...]


OFFICES: tuple[DemoOffice, ...] = (
    DemoOffice(
        name="Derby Central Housing Office",
        address="Council House, Corporation Street, Derby DE1 2FS",
        phone="01332 640000",
        rooms=(
            DemoRoom(
                "Reception desk 1",
                RoomKind.RECEPTION_DESK,
                "Ground floor, main entrance",
                "pico-e661a4d41b2c",
                DeviceKind.SERIAL,
            ),
            DemoRoom(
                "Reception desk 2",
                RoomKind.RECEPTION_DESK,
                "Ground floor, main entrance",
                "pico-e661a4d41b2d",
                DeviceKind.SERIAL,
            ),
            DemoRoom(
                "Interview Room 1",
                RoomKind.INTERVIEW_ROOM,
                "Ground floor, left of reception",
                "pico-e661a4d41b31",
                DeviceKind.SERIAL,
            ),
            DemoRoom(
                "Interview Room 2",
                RoomKind.INTERVIEW_ROOM,
                "Ground floor, left of reception",
                "pico-e661a4d41b32",
                DeviceKind.SERIAL,
            ),
            DemoRoom(
                "Interview Room 3",
                RoomKind.INTERVIEW_ROOM,
                "First floor, past the lifts",
                "gpio:pi-central-1:17",
                DeviceKind.GPIO,
            ),
            DemoRoom(
                "Interview Room 4",
                RoomKind.INTERVIEW_ROOM,
                "First floor, past the lifts",
                "gpio:pi-central-1:27",
                DeviceKind.GPIO,
            ),
        ),
    ),
    DemoOffice(
        name="Normanton Neighbourhood Office",
        address="Rosehill Street, Derby DE23 8FZ",
        phone="01332 640100",
        rooms=(
            DemoRoom(
                "Reception desk",
                RoomKind.RECEPTION_DESK,
                "Front counter",
                "pico-e661a4d42a01",
                DeviceKind.SERIAL,
            ),
            DemoRoom(
                "Interview Room A",
                RoomKind.INTERVIEW_ROOM,
                "Behind reception, door on the right",
                "gpio:pi-normanton:17",
                DeviceKind.GPIO,
            ),
            DemoRoom(
                "Interview Room B",
                RoomKind.INTERVIEW_ROOM,
                "Behind reception, door on the left",
                "gpio:pi-normanton:27",
                DeviceKind.GPIO,
            ),
        ),
    ),
)

# (name, login, job title, roles, office index)
STAFF: tuple[tuple[str, str, str, tuple[Role, ...], int], ...] = (
    ("Priya Sharma", "psharma", "Receptionist", (Role.RECEPTION,), 0),
    ("Gary Holt", "gholt", "Receptionist", (Role.RECEPTION, Role.RESPONDER), 0),
    ("Aisha Begum", "abegum", "Customer Services Adviser", (Role.RECEPTION,), 1),
    ("Tom Whitfield", "twhitfield", "Housing Officer", (Role.OFFICER, Role.RESPONDER), 0),
    ("Sarah Okafor", "sokafor", "Housing Officer", (Role.OFFICER, Role.RESPONDER), 0),
    ("Dan Kowalski", "dkowalski", "Tenancy Relations Officer", (Role.OFFICER, Role.RESPONDER), 0),
    ("Rachel Green", "rgreen", "Housing Officer", (Role.OFFICER,), 0),
    ("Imran Hussain", "ihussain", "Housing Officer", (Role.OFFICER, Role.RESPONDER), 1),
    ("Claire Dunn", "cdunn", "Income Officer", (Role.OFFICER, Role.RESPONDER), 1),
    ("Mark Evans", "mevans", "Caretaker and First Aider", (Role.RESPONDER,), 0),
    ("Helen Marsh", "hmarsh", "Neighbourhood Manager", (Role.MANAGER, Role.RESPONDER), 0),
    ("Steve Barker", "sbarker", "ASB Manager", (Role.MANAGER, Role.ASB_MANAGER), 0),
    (
        "Nadia Rahman",
        "nrahman",
        "Complex Needs Manager",
        (Role.MANAGER, Role.COMPLEX_NEEDS_MANAGER),
        0,
    ),
    (
        "Paul Fraser",
        "pfraser",
        "Area Housing Manager",
        (Role.SENIOR_MANAGER, Role.AREA_HOUSING_MANAGER),
        0,
    ),
    (
        "Joanne Reid",
        "jreid",
        "Housing Services Manager",
        (Role.SENIOR_MANAGER, Role.HOUSING_SERVICES_MANAGER, Role.SERVICE_MANAGER),
        0,
    ),
    (
        "Kevin O'Neill",
        "koneill",
        "Head of Housing Management",
        (Role.SENIOR_MANAGER, Role.HEAD_OF_HOUSING_MANAGEMENT, Role.HEAD_OF_SERVICE),
        0,
    ),
    ("Linda Moss", "lmoss", "Personnel Manager", (Role.MANAGER, Role.PERSONNEL_MANAGER), 0),
    ("Admin", "admin", "System administrator", (Role.ADMIN,), 0),
)

# The demo rota covers the whole week, day and out-of-hours, so the demo always has responders.
# (login, office index, weekdays, start, end)
ROTA: tuple[tuple[str, int, tuple[int, ...], time, time], ...] = (
    ("twhitfield", 0, (0, 1, 2, 3, 4), time(7, 0), time(19, 0)),
    ("sokafor", 0, (0, 1, 2, 3, 4), time(7, 0), time(19, 0)),
    ("dkowalski", 0, (0, 2, 4, 5, 6), time(7, 0), time(19, 0)),
    ("mevans", 0, (1, 3, 5, 6), time(7, 0), time(19, 0)),
    ("gholt", 0, (0, 1, 2, 3, 4, 5, 6), time(19, 0), time(7, 0)),
    ("hmarsh", 0, (5, 6), time(7, 0), time(19, 0)),
    ("ihussain", 1, (0, 1, 2, 3, 4, 5, 6), time(7, 0), time(19, 0)),
    ("cdunn", 1, (0, 1, 2, 3, 4, 5, 6), time(19, 0), time(7, 0)),
)


def seed_office(
    session: Session, now: datetime, *, password: str = DEMO_PASSWORD
) -> dict[str, Office]:
    """Add the demo offices, rooms, devices, staff and rota; return the offices by name.

    Only on a database without staff (DemoRefused). ``password``: every demo account's.
    """
    if session.scalar(select(func.count()).select_from(Staff)):
        raise DemoRefused(
            "this database already has staff accounts: the demo (whose accounts share a "
            "published password) is seeded only into an empty database"
        )
    offices: dict[str, Office] = {}
    office_list: list[Office] = []
    for spec in OFFICES:
        office = Office(
            name=spec.name, address=spec.address, phone=spec.phone, time_zone="Europe/London"
        )
        session.add(office)
        for r in spec.rooms:
            room = Room(office=office, name=r.name, kind=r.kind, location=r.location)
            session.add(room)
            session.add(
                PanicDevice(
                    device_id=r.device_id,
                    kind=r.device_kind,
                    room=room,
                    label=f"Panic button, {r.name}",
                    registered_at=now,
                    firmware_version="1.0.0" if r.device_kind is DeviceKind.SERIAL else None,
                    last_seen_at=now,
                )
            )
        offices[spec.name] = office
        office_list.append(office)
    session.flush()

    password_hash = hash_password(password)
    staff_by_login: dict[str, Staff] = {}
    for name, login, title, roles, office_index in STAFF:
        member = Staff(
            name=name,
            login=login,
            job_title=title,
            password_hash=password_hash,
            home_office_id=office_list[office_index].id,
            created_at=now,
            roles=[StaffRole(role=role) for role in roles],
        )
        session.add(member)
        staff_by_login[login] = member
    session.flush()

    for login, office_index, weekdays, starts, ends in ROTA:
        for weekday in weekdays:
            session.add(
                RotaShift(
                    staff_id=staff_by_login[login].id,
                    office_id=office_list[office_index].id,
                    kind=ShiftKind.REGULAR,
                    weekday=weekday,
                    starts=starts,
                    ends=ends,
                )
            )
    session.flush()
    return offices
