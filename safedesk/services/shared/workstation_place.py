"""Where this PC is: its office, its reception desk, the rooms it can simulate, its row in workstations.

Resolved once at start from the configuration, so every screen filters the alarm bus by the same
office and the on-screen panic button raises for the right desk. Unknown names are errors that
say what exists, because a PC silently attached to the wrong office would miss its alarms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import Office, PanicDevice, Person, Room, RoomKind, Staff, Workstation
from safedesk.services.shared.pc_names import configured_name, shown_name
from safedesk.services.shared.server_clock import database_now


class PlaceError(Exception):
    """The configured office or desk does not exist (names what does)."""


@dataclass(frozen=True)
class RoomChoice:
    room_id: int
    name: str
    kind: RoomKind
    location: str | None
    device_id: str | None  # the room's first enabled panic device (None: no button registered)


@dataclass(frozen=True)
class WorkstationPlace:
    office_id: int
    office_name: str
    workstation: str
    mode: str
    desk_room_id: int | None  # the reception desk this PC's on-screen panic button raises for
    desk_name: str | None
    rooms: tuple[RoomChoice, ...]  # active rooms of the office, for demo buttons and pickers
    # The name people know the PC by (workstation.name); None: not named. ``workstation`` is the
    # key of its row (the host name when not named) and is never shown (safedesk.services.shared.pc_names).
    label: str | None = None

    @property
    def shown_name(self) -> str:
        return shown_name(self.label)


@dataclass(frozen=True)
class OfficeSummary:
    offices: tuple[str, ...]
    rooms: int
    people: int


def resolve_place(db: Database, config: Config, *, mode: str | None = None) -> WorkstationPlace:
    """The office (configured name, else the only or first office) and desk of this PC."""
    wanted_office = config.workstation.office.strip()
    wanted_desk = config.workstation.desk.strip()
    with db.session() as s:
        offices = list(s.scalars(select(Office).order_by(Office.id)))
        if not offices:
            raise PlaceError("no office is set up yet (run `safedesk demo` or add one)")
        if wanted_office:
            matches = [o for o in offices if o.name.casefold() == wanted_office.casefold()]
            if not matches:
                names = ", ".join(o.name for o in offices)
                raise PlaceError(
                    f"{config.source}: workstation.office: no office named {wanted_office!r} "
                    f"(offices: {names})"
                )
            office = matches[0]
        else:
            office = offices[0]
        rooms = list(
            s.scalars(
                select(Room)
                .where(Room.office_id == office.id, Room.active.is_(True))
                .order_by(Room.kind, Room.name)
            )
        )
        devices: dict[int, str] = {}
        for room_id, device_id in s.execute(
            select(PanicDevice.room_id, PanicDevice.device_id)
            .where(PanicDevice.enabled.is_(True), PanicDevice.room_id.is_not(None))
            .order_by(PanicDevice.id)
        ):
            if room_id is not None:
                devices.setdefault(room_id, device_id)
        desk: Room | None = None
        if wanted_desk:
            found = [r for r in rooms if r.name.casefold() == wanted_desk.casefold()]
            if not found:
                names = ", ".join(r.name for r in rooms)
                raise PlaceError(
                    f"{config.source}: workstation.desk: no room named {wanted_desk!r} in "
                    f"{office.name} (rooms: {names})"
                )
            desk = found[0]
        return WorkstationPlace(
            office_id=office.id,
            office_name=office.name,
            workstation=config.workstation_name,
            label=configured_name(config),
            mode=mode or config.workstation.mode,
            desk_room_id=desk.id if desk is not None else None,
            desk_name=desk.name if desk is not None else None,
            rooms=tuple(
                RoomChoice(r.id, r.name, r.kind, r.location, devices.get(r.id)) for r in rooms
            ),
        )


def first_reception_desk(place: WorkstationPlace) -> RoomChoice | None:
    """The demo PC's desk when none is configured: the office's first reception desk."""
    return next((r for r in place.rooms if r.kind is RoomKind.RECEPTION_DESK), None)


def register_workstation(
    db: Database,
    place: WorkstationPlace,
    *,
    now: datetime,
    sound_ok: bool | None,
    signed_in_staff_id: int | None = None,
    label: str | None = None,
) -> None:
    """Record this PC (office, desk, mode, whether it can sound the alarm, who is signed in, its
    configured name) and that it is alive, stamped with the database server's time.

    Responders and managers need to know which screens are silent and who can be reached.
    """
    with db.session() as s:
        row = s.scalar(select(Workstation).where(Workstation.name == place.workstation))
        if row is None:
            row = Workstation(name=place.workstation)
            s.add(row)
        row.office_id = place.office_id
        row.desk_room_id = place.desk_room_id
        row.mode = place.mode
        row.last_seen_at = database_now(s, now)
        row.sound_ok = sound_ok
        row.signed_in_staff_id = signed_in_staff_id
        row.label = (label or "").strip() or None


def office_summary(db: Database) -> OfficeSummary:
    with db.session() as s:
        names = tuple(s.scalars(select(Office.name).order_by(Office.id)))
        rooms = s.scalar(select(func.count()).select_from(Room)) or 0
        people = s.scalar(select(func.count()).select_from(Person)) or 0
    return OfficeSummary(offices=names, rooms=rooms, people=people)


def login_of(db: Database, staff_id: int) -> str | None:
    """A member of staff's login (the demo signs in whoever is on the rota right now)."""
    with db.session() as s:
        return s.scalar(select(Staff.login).where(Staff.id == staff_id))
