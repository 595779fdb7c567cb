"""A small office for the marker tests: staff in every role of seed 002, people, an alarm."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from safedesk.button_events import DeviceKind
from safedesk.config import MarkersConfig
from safedesk.db import Database
from safedesk.models import (
    AlarmEvent,
    AlarmOutcome,
    MarkerCategory,
    Office,
    Role,
    Room,
    RoomKind,
    Visit,
)
from safedesk.services.markers.placing import EvidenceInput, RiskAssessment
from safedesk.services.shared.actor import Actor
from safedesk.services.staff.passwords import hash_password
from tests.helpers import office as shared

PASSWORD = "correct horse battery"

STAFF: dict[str, tuple[str, tuple[Role, ...]]] = {
    "reception": ("Priya Sharma", (Role.RECEPTION,)),
    "officer": ("Tom Whitfield", (Role.OFFICER, Role.RESPONDER)),
    "manager": ("Helen Marsh", (Role.MANAGER,)),
    "asb": ("Steve Barker", (Role.MANAGER, Role.ASB_MANAGER)),
    "complex": ("Nadia Rahman", (Role.MANAGER, Role.COMPLEX_NEEDS_MANAGER)),
    "service": ("Joe Service", (Role.SERVICE_MANAGER,)),
    "area": ("Paul Fraser", (Role.SENIOR_MANAGER, Role.AREA_HOUSING_MANAGER)),
    "hsm": ("Joanne Reid", (Role.SENIOR_MANAGER, Role.HOUSING_SERVICES_MANAGER)),
    "head_service": ("Kim Head", (Role.HEAD_OF_SERVICE,)),
    "head": ("Kevin O'Neill", (Role.HEAD_OF_HOUSING_MANAGEMENT,)),
    "admin": ("Admin", (Role.ADMIN,)),
}


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class World:
    db: Database
    office_id: int = 0
    room_id: int = 0
    staff: dict[str, int] = field(default_factory=dict)
    person_id: int = 0
    other_person_id: int = 0
    config: MarkersConfig = field(default_factory=MarkersConfig)

    def actor(self, key: str) -> Actor:
        return Actor(staff_id=self.staff[key], login=key, workstation="PC-TEST")

    def assessment(self, **changes: object) -> RiskAssessment:
        values: dict[str, object] = dict(
            person_id=self.person_id,
            category=MarkerCategory.VIOLENCE_AGGRESSION,
            assessed_by_id=self.staff["asb"],
            reason="Threatened an officer with a bottle at the counter",
            detail="Police crime ref 22/1234; officer shaken but unhurt",
            evidence=(
                EvidenceInput(
                    occurred_on=date(2026, 11, 2),
                    what_happened="Raised voice, threw a bottle towards the counter screen",
                    source="Incident report IR-2291 (T Whitfield)",
                ),
            ),
            tenant_informed=True,
            instructions=("Visit in pairs", "No lone interviews"),
        )
        values.update(changes)
        return RiskAssessment(**values)  # type: ignore[arg-type]


def build_world(db: Database, now: datetime) -> World:
    world = World(db=db)
    with db.session() as s:
        office = Office(
            name="Derby Central Housing Office",
            address="Council House, Corporation Street, Derby DE1 2FS",
            phone="01332 640000",
            time_zone="Europe/London",
        )
        room = Room(office=office, name="Interview Room 1", kind=RoomKind.INTERVIEW_ROOM)
        s.add_all([office, room])
        s.flush()
        world.office_id, world.room_id = office.id, room.id
        for key, (name, roles) in STAFF.items():
            member = shared.add_staff(
                s, office.id, name, key, roles, now, password_hash=password_hash()
            )
            world.staff[key] = member.id
        for attr, (fore, sur, postcode) in {
            "person_id": ("Jonathan", "Smith", "DE1 2AB"),
            "other_person_id": ("Margaret", "O'Brien", "DE23 8FZ"),
        }.items():
            person_id = shared.add_person(
                s,
                now,
                fore,
                sur,
                born=date(1985, 3, 6),
                address="14 Abbey Street, Derby",
                postcode=postcode,
                tenancy_ref=f"T-{sur.upper()}",
            )
            setattr(world, attr, person_id)
    return world


def add_person(
    world: World,
    forenames: str,
    surname: str,
    born: date,
    tenancy_ref: str,
    postcode: str,
    now: datetime,
) -> int:
    """Another person on record (namesakes are told apart by date of birth and tenancy)."""
    with world.db.session() as s:
        return shared.add_person(
            s,
            now,
            forenames,
            surname,
            born=born,
            address="2 Normanton Road, Derby",
            postcode=postcode,
            tenancy_ref=tenancy_ref,
        )


def add_resolved_alarm(
    world: World, now: datetime, *, resolved: bool = True, person_id: int | None = None
) -> int:
    with world.db.session() as s:
        visit = Visit(
            office_id=world.office_id,
            person_id=person_id or world.person_id,
            room_id=world.room_id,
            host_officer_id=world.staff["officer"],
            arrived_at=now - timedelta(minutes=30),
            created_at=now - timedelta(hours=1),
        )
        s.add(visit)
        s.flush()
        alarm = AlarmEvent(
            device_id="pico-test",
            room_id=world.room_id,
            office_id=world.office_id,
            source=DeviceKind.SERIAL,
            device_sequence=1,
            pressed_at=now - timedelta(minutes=10),
            raised_at=now - timedelta(minutes=10),
            visit_id=visit.id,
            resolved_by_id=world.staff["officer"] if resolved else None,
            resolved_at=now - timedelta(minutes=2) if resolved else None,
            outcome=AlarmOutcome.POLICE_CALLED if resolved else None,
            notes="Visitor shouted and threw a chair; left before police arrived"
            if resolved
            else None,
        )
        s.add(alarm)
        s.flush()
        return alarm.id
