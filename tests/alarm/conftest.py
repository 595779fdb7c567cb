"""Alarm path fixtures: the demo office seeded into a real database, and the services on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.demo.office import seed_office
from safedesk.models import Office, PanicDevice, Room, Staff
from safedesk.services.hub import Services
from safedesk.services.shared.actor import Actor


@dataclass(frozen=True)
class SeededOffice:
    office_id: int
    other_office_id: int
    room_ids: dict[str, int]
    device_ids: dict[str, str]  # room name -> device id
    staff_ids: dict[str, int]  # login -> id

    def actor(self, login: str) -> Actor:
        return Actor(staff_id=self.staff_ids[login], login=login, workstation=f"PC-{login}")


@pytest.fixture
def office(db: Database, clock: FakeClock) -> SeededOffice:
    with db.session() as s:
        offices = seed_office(s, clock.now())
        central = offices["Derby Central Housing Office"]
        other = next(o for name, o in offices.items() if o is not central)
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
def services(db: Database, clock: FakeClock) -> Iterator[Services]:
    hub = Services.build(Config(), db, clock, "TEST-PC")
    yield hub
    hub.close()
