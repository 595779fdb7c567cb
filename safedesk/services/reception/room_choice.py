"""Which interview room a visitor may be given: rooms whose panic button is known to work.

Seed 004 (TRO guidance): interview rooms have panic alarms and officers interview where they
can reach one; seed 000: alarms are tested at the start of each week. So a room whose button
is offline, failed its last weekly test, is overdue for it, or has no button is marked, and a
flagged visitor goes there only with a manager's override, which is audited.

Readiness comes from ``button_readiness`` through the small ``ReadinessSource`` callable, so
tests and other callers can pass their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.models import Role, Room, RoomKind, Visit
from safedesk.services.buttons.readiness import Readiness, RoomReadiness, room_readiness
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.staff.sign_in import check_password

ReadinessSource = Callable[[Session, int], Mapping[int, RoomReadiness]]
"""(session, office id) -> room id -> readiness."""

OVERRIDE_ROLES = frozenset(
    {
        Role.MANAGER,
        Role.SENIOR_MANAGER,
        Role.ASB_MANAGER,
        Role.AREA_HOUSING_MANAGER,
        Role.HOUSING_SERVICES_MANAGER,
        Role.HEAD_OF_HOUSING_MANAGEMENT,
        Role.SERVICE_MANAGER,
        Role.HEAD_OF_SERVICE,
    }
)


def readiness_from_buttons(clock: Clock, config: Config) -> ReadinessSource:
    """The real source: weekly tests and heartbeats, as every other screen sees them."""

    def source(session: Session, office_id: int) -> Mapping[int, RoomReadiness]:
        return room_readiness(session, office_id, clock, config)

    return source


class RoomNeedsOverride(Exception):
    """A flagged visitor and a room whose alarm is not known to work: a manager must decide."""

    def __init__(self, room: RoomOption) -> None:
        super().__init__(
            f"{room.name}: {room.summary}. A visitor with a flagged file can only be "
            "given this room with a manager's override."
        )
        self.room = room


class OverrideRefused(Exception):
    """The override was not given by a manager, the password was wrong or no reason was given."""


@dataclass(frozen=True)
class RoomOption:
    room_id: int
    name: str
    location: str | None
    status: Readiness
    summary: str  # "Panic button OFFLINE", "Last weekly test FAILED (no signal)", ...
    in_use_by: str | None  # the visitor in it now, if any
    in_use_visit_id: int | None = None  # their visit: a room holds one visitor at a time

    @property
    def alarm_ok(self) -> bool:
        """The button is online and tested (DUE early in the week still counts as working)."""
        return not self.status.is_flagged


@dataclass(frozen=True)
class ManagerOverride:
    staff_id: int
    login: str
    name: str
    reason: str


def room_options(session: Session, office_id: int, readiness: ReadinessSource) -> list[RoomOption]:
    """The office's interview rooms with their alarm status, in name order."""
    status = readiness(session, office_id)
    rooms = session.scalars(
        select(Room)
        .where(
            Room.office_id == office_id,
            Room.active.is_(True),
            Room.kind == RoomKind.INTERVIEW_ROOM,
        )
        .order_by(Room.name)
    ).all()
    occupied: dict[int, tuple[str, int]] = {}
    for visit in session.scalars(
        select(Visit).where(
            Visit.room_id.in_([r.id for r in rooms]),
            Visit.arrived_at.is_not(None),
            Visit.left_at.is_(None),
        )
    ):
        assert visit.room_id is not None
        occupied[visit.room_id] = (visit.visitor_name, visit.id)
    options = []
    for room in rooms:
        found = status.get(room.id)
        occupant = occupied.get(room.id)
        options.append(
            RoomOption(
                room_id=room.id,
                name=room.name,
                location=room.location,
                status=found.status if found else Readiness.NO_BUTTON,
                summary=found.summary if found else Readiness.NO_BUTTON.text,
                in_use_by=occupant[0] if occupant else None,
                in_use_visit_id=occupant[1] if occupant else None,
            )
        )
    return options


def check_room(room: RoomOption, *, flagged: bool, override: ManagerOverride | None) -> None:
    """The room rule: raise RoomNeedsOverride when a flagged visitor needs a working alarm."""
    if flagged and not room.alarm_ok and override is None:
        raise RoomNeedsOverride(room)


def authorise_override(session: Session, login: str, password: str, reason: str) -> ManagerOverride:
    """A manager signs the override with their own password; a reason is required."""
    if not reason.strip():
        raise OverrideRefused("Give the reason for using this room.")
    # Checked and counted by the sign-in guard (no PC may read password hashes; guessing a
    # manager's password here locks that login like guessing it at sign-in).
    staff = check_password(session, login, password)
    if staff is None:
        raise OverrideRefused("Login or password not recognised.")
    if not staff.role_set & OVERRIDE_ROLES:
        raise OverrideRefused(f"{staff.name} is not a manager: a manager must authorise this.")
    return ManagerOverride(staff.id, staff.login, staff.name, reason.strip())


def record_override(
    session: Session,
    actor: Actor,
    now: datetime,
    visit: Visit,
    room: RoomOption,
    override: ManagerOverride,
) -> None:
    visit.room_override_by_id = override.staff_id
    visit.room_override_reason = override.reason
    audit.record(
        session,
        actor,
        "room_override",
        at=now,
        subject_type="visit",
        subject_id=visit.id,
        room_id=room.room_id,
        room=room.name,
        room_status=room.status.value,
        room_status_text=room.summary,
        manager_id=override.staff_id,
        manager=override.login,
        reason=override.reason,
    )
