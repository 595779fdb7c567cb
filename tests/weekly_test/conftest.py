"""Fixtures: a real office on both databases, Monday morning of a winter week, default config."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from tests.weekly_test.office_builder import TestOffice, build_office

MONDAY_MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 09:00 GMT, week of Mon 23 Nov


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_MORNING)


@pytest.fixture
def config() -> Config:
    return Config()


@pytest.fixture
def office(db: Database, clock: FakeClock) -> TestOffice:
    return build_office(db, clock.now())


@pytest.fixture
def desk(db: Database, clock: FakeClock, config: Config) -> WeeklyTestDesk:
    return WeeklyTestDesk(db, clock, config)
