"""Reception fixtures: a real office on both databases, Monday morning, the search loaded."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.services.reception.person_search import PersonSearch
from safedesk.services.reception.room_choice import ReadinessSource, readiness_from_buttons
from tests.reception.world import World, build_world

MONDAY_MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_MORNING)


@pytest.fixture
def world(db: Database, clock: FakeClock) -> World:
    return build_world(db, clock.now())


@pytest.fixture
def search(db: Database, clock: FakeClock, world: World) -> PersonSearch:
    return PersonSearch.load(db, clock)


@pytest.fixture
def readiness(clock: FakeClock) -> ReadinessSource:
    return readiness_from_buttons(clock, Config())
