"""In the demo office the simulated buttons keep themselves online, and the year of tests exists."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import func, select

from desktop.shell.demo_heartbeats import start_demo_heartbeats
from safedesk.clock import FakeClock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.demo.seed import seed_demo
from safedesk.models import AlarmTest, PanicDevice
from safedesk.services.buttons.device_status import is_online
from safedesk.services.hub import Services


def test_demo_buttons_send_heartbeats_so_they_are_not_shown_offline(
    db: Database, clock: FakeClock
) -> None:
    seed_demo(db, 50, clock.now())
    clock.advance(minutes=5)  # long past the offline limit since seeding
    with db.session() as s:
        assert not any(is_online(d, clock.now(), 10) for d in s.scalars(select(PanicDevice)))
    services = Services.build(Config(), db, clock, "TEST-PC")
    started = time.monotonic()
    source = start_demo_heartbeats(services)
    # Off the calling (GUI) thread: finding the devices and the first beat are the thread's.
    assert time.monotonic() - started < 0.1 and source.beats == 0
    try:
        deadline = time.monotonic() + 5
        while source.beats == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        with db.session() as s:
            devices = s.scalars(select(PanicDevice)).all()
            assert devices and all(is_online(d, clock.now(), 10) for d in devices)
        clock.advance(seconds=11)
        with db.session() as s:
            assert not any(is_online(d, clock.now(), 10) for d in s.scalars(select(PanicDevice)))
    finally:
        source.stop()
        services.close()


def test_demo_office_has_a_year_of_weekly_tests_but_not_this_weeks(
    db: Database, clock: FakeClock
) -> None:
    seed_demo(db, 10, clock.now())
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AlarmTest)) > 100
        latest = s.scalar(select(func.max(AlarmTest.started_at)))
        assert latest is not None and latest < clock.now()
        assert latest > clock.now() - timedelta(days=14)


def test_demo_on_a_tuesday_shows_this_weeks_round_part_done(db: Database, clock: FakeClock) -> None:
    from safedesk.models import Office
    from safedesk.services.weekly_test.checklist import checklist

    clock.advance(days=1)  # Tuesday 24 November 2026, after Monday's test day
    seed_demo(db, 10, clock.now())
    with db.session() as s:
        office = s.scalars(select(Office).order_by(Office.id)).first()
        assert office is not None
        today = checklist(s, office.id, clock, Config())
    assert today.total == 6
    assert today.tested == 5, today.header_text()
    assert today.passed == 5
