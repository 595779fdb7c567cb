"""A plausible year of weekly alarm tests for the demo office: mostly passes, some gaps and fails.

So a newcomer (and the screenshots) see what the year view and the audit report look like with
history in them. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AlarmTest, FailReason, Office, PanicDevice, Staff, TestResult
from safedesk.services.buttons.readiness import office_devices
from safedesk.services.weekly_test.test_week import TestWeek, week_containing, week_for_start


def seed_test_history(
    db: Database, clock: Clock, config: Config, *, weeks: int = 40, seed: int = 5
) -> int:
    """Add ``weeks`` past weeks of tests and this week's round so far; returns rows added."""
    rng = random.Random(seed)
    added = 0
    with db.session() as s:
        for office in s.scalars(select(Office).order_by(Office.id)):
            this_week = week_containing(clock.now(), office.time_zone, config.weekly_test)
            testers = (
                s.scalars(
                    select(Staff)
                    .where(Staff.home_office_id == office.id)
                    .order_by(Staff.id)
                    .limit(4)
                ).all()
                or s.scalars(select(Staff).order_by(Staff.id).limit(4)).all()
            )
            if not testers:
                continue
            devices = [d for d in office_devices(s, office.id) if d.enabled]
            first = this_week.starts_at - timedelta(days=7 * weeks)
            for device in devices:
                device.registered_at = min(device.registered_at, first)  # installed before
            for back in range(weeks, 0, -1):
                week = week_for_start(
                    this_week.week_start - timedelta(days=7 * back),
                    office.time_zone,
                    config.weekly_test,
                )
                if rng.random() < 0.05:
                    continue  # a week nobody did the test at all (a bank holiday)
                tester = rng.choice(testers)
                at = week.starts_at + timedelta(hours=9, minutes=rng.randint(0, 50))
                for device in devices:
                    roll = rng.random()
                    if roll < 0.03:
                        continue  # this button skipped
                    at += timedelta(seconds=rng.randint(40, 150))
                    test = AlarmTest(
                        week_start=week.week_start,
                        device_pk=device.id,
                        office_id=office.id,
                        tester_id=tester.id,
                        started_at=at,
                        window_ends_at=at + timedelta(seconds=config.weekly_test.window_s),
                        completed_at=at + timedelta(seconds=rng.randint(20, 80)),
                    )
                    if roll < 0.06:
                        test.result = TestResult.FAIL
                        test.fail_reason = FailReason.NO_SIGNAL
                        test.completed_at = test.window_ends_at
                        test.notes = "Battery flat; contractor called."
                    else:
                        pressed = at + timedelta(seconds=rng.randint(8, 45))
                        latency = rng.lognormvariate(5.0, 0.35)
                        test.pressed_at = pressed
                        test.received_at = pressed + timedelta(milliseconds=latency)
                        test.latency_ms = round(latency, 1)
                        test.completed_at = pressed + timedelta(seconds=rng.randint(10, 40))
                        test.heard_on_responder = roll > 0.08
                        if roll < 0.08:
                            test.result = TestResult.FAIL
                            test.fail_reason = FailReason.NOT_HEARD
                            test.not_heard_screen = "RESPONDER-PC2"
                            test.notes = "Speakers unplugged at the back office PC."
                        else:
                            test.result = TestResult.PASS
                    s.add(test)
                    added += 1
            added += _this_weeks_tests(s, this_week, office.id, devices, testers[0], clock, config)
    return added


def _this_weeks_tests(
    s: Session,
    week: TestWeek,
    office_id: int,
    devices: Sequence[PanicDevice],
    tester: Staff,
    clock: Clock,
    config: Config,
) -> int:
    """This week's morning round, if it is over: every button passed but the last, still to do.

    So the demo shows the checklist part-done ("5 of 6") instead of every room overdue.
    """
    at = week.starts_at + timedelta(hours=9)
    if at + timedelta(minutes=30) >= clock.now():
        return 0
    added = 0
    for device in devices[:-1]:
        at += timedelta(seconds=90)
        pressed = at + timedelta(seconds=20)
        s.add(
            AlarmTest(
                week_start=week.week_start,
                device_pk=device.id,
                office_id=office_id,
                tester_id=tester.id,
                started_at=at,
                window_ends_at=at + timedelta(seconds=config.weekly_test.window_s),
                pressed_at=pressed,
                received_at=pressed + timedelta(milliseconds=140),
                latency_ms=140.0,
                heard_on_responder=True,
                result=TestResult.PASS,
                completed_at=pressed + timedelta(seconds=30),
            )
        )
        added += 1
    return added
