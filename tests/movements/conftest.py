"""Diary fixtures: the office world on SQLite and PostgreSQL; the walkthrough's office PCs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from safedesk.clock import FakeClock
from safedesk.db import Database
from tests.movements.world import DiaryWorld, build_world
from tests.walkthrough.conftest import office_pcs  # noqa: F401  (two app instances, one database)


@pytest.fixture
def world(db: Database, clock: FakeClock) -> Iterator[DiaryWorld]:
    built = build_world(db, clock)
    yield built
    built.bus.close()
