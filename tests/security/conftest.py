"""Security fixtures: an office seeded by the database owner, and one real login per kind of PC."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from safedesk.button_events import DeviceKind
from safedesk.clock import FakeClock
from safedesk.db import Database
from safedesk.models import MarkerCategory, PanicDevice, ReviewDecision
from safedesk.services.markers.placing import EvidenceInput, create_marker
from safedesk.services.markers.review import ReviewInput, record_review
from safedesk.services.shared.actor import Actor
from tests.markers.office_world import World, add_resolved_alarm, build_world
from tests.security.pc_logins import PcLogins, made_for

REASON = "Conviction for wounding (2021); released on licence"
WHAT_HAPPENED = "Probation officer reports threats to kill a housing officer"
SOURCE = "Probation service, MAPPA meeting 3 March"
NOT_TOLD = "Telling him would put the officer's family at risk"
DEVICE = "pico-secure-1"


@dataclass
class Office:
    """The owner's view: ids of what every attack is tried against."""

    world: World
    restricted_marker: int
    plain_marker: int
    resolved_alarm: int
    device_id: str = DEVICE

    def actor(self, key: str) -> Actor:
        return self.world.actor(key)


@pytest.fixture
def world(db: Database, clock: FakeClock) -> World:
    """The marker tests' small office, on SQLite and on PostgreSQL (as the owner)."""
    return build_world(db, clock.now())


@pytest.fixture
def logins(pg_url: str) -> Iterator[PcLogins]:
    yield from made_for(pg_url)


@pytest.fixture
def office(pg_url: str, clock: FakeClock) -> Iterator[Office]:
    owner = Database(pg_url)
    world = build_world(owner, clock.now())
    with owner.session() as s:
        s.add(
            PanicDevice(
                device_id=DEVICE,
                kind=DeviceKind.SERIAL,
                room_id=world.room_id,
                registered_at=clock.now(),
                last_seen_at=clock.now(),
            )
        )
        restricted = create_marker(
            s,
            world.actor("asb"),
            world.assessment(
                category=MarkerCategory.OFFENDER,
                restricted=True,
                reason=REASON,
                tenant_informed=False,
                not_informed_reason=NOT_TOLD,
                evidence=(
                    EvidenceInput(
                        occurred_on=date(2026, 3, 3), what_happened=WHAT_HAPPENED, source=SOURCE
                    ),
                ),
            ),
            now=clock.now(),
            config=world.config,
        ).id
        plain = create_marker(
            s,
            world.actor("asb"),
            world.assessment(person_id=world.other_person_id),
            now=clock.now(),
            config=world.config,
        ).id
        record_review(
            s,
            world.actor("asb"),
            restricted,
            ReviewInput(
                decision=ReviewDecision.CONTINUE,
                reason="Licence conditions continue",
                information_considered="Probation update",
                tenant_informed=False,
                not_informed_reason=NOT_TOLD,
            ),
            now=clock.now() + timedelta(days=1),
            config=world.config,
        )
    alarm = add_resolved_alarm(world, clock.now())
    yield Office(world, restricted, plain, alarm)
    owner.dispose()
