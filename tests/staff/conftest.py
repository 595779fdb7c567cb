"""Staff fixtures: the markers' small office, whose staff hold every role of seed 002."""

from __future__ import annotations

import pytest

from safedesk.clock import FakeClock
from safedesk.db import Database
from tests.markers.office_world import World, build_world


@pytest.fixture
def world(db: Database, clock: FakeClock) -> World:
    return build_world(db, clock.now())
