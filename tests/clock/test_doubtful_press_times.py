"""A press may claim any time (a button's age field allows 24 hours; a PC's clock may be wrong):
it is raised when it arrives, on the server's clock, with the claimed time kept and, when it
cannot be believed, marked (``alarm.press_time_doubtful``). A doubtful press is never a test.
A Raspberry Pi bridge boots with a stale clock until NTP answers: its first press reads the
server's clock in its own transaction, and NTP stepping its clock later changes no decision.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from safedesk.button_events import ButtonPress, DeviceHeard, DeviceKind
from safedesk.clock import FakeClock, utc
from safedesk.db import Database
from safedesk.db.server_time import ServerClockTimer
from safedesk.models import AlarmEvent, AlarmPress, AlarmTest, AuditEntry, PanicDevice, TestResult
from safedesk.services.hub import Services
from tests.clock.conftest import SkewedPC
from tests.helpers.office import SeededOffice

ROOM = "Interview Room 1"
THREE_DAYS = 3 * 86400.0


def doubtful_marks(db: Database) -> list[AuditEntry]:
    with db.session() as s:
        return list(
            s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "alarm.press_time_doubtful")
                .order_by(AuditEntry.id)
            )
        )


def clock_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the bridge's log said about its clock (the first sentence of each line)."""
    return [
        r.getMessage().split(" (measured")[0]
        for r in caplog.records
        if r.name == "safedesk.db.server_time" and r.levelno >= logging.WARNING
    ]


def test_a_press_claiming_to_be_24_hours_old_is_a_real_alarm_raised_now_and_marked(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    device_id = office.device_ids[ROOM]
    # The oldest a button's age field may say (the serial driver's limit): 24 hours.
    claimed = clock.now() - timedelta(hours=24) + timedelta(seconds=1)
    receipt = services.alarms.press(
        ButtonPress(device_id, 1, claimed, DeviceKind.SERIAL, boot_id=7)
    )
    assert receipt.created and not receipt.is_test
    with db.session() as s:
        alarm = s.get_one(AlarmEvent, receipt.alarm_id)
        assert utc(alarm.raised_at) == clock.now()
        assert utc(alarm.pressed_at) == claimed  # kept as the button claimed, for the record
        press = s.scalars(select(AlarmPress).where(AlarmPress.alarm_id == alarm.id)).one()
        assert utc(press.pressed_at) == claimed and utc(press.received_at) == clock.now()
    [mark] = doubtful_marks(db)
    assert mark.subject_type == "alarm" and mark.subject_id == receipt.alarm_id
    assert mark.detail["claimed_pressed_at"] == claimed.isoformat()
    assert mark.detail["claimed_age_s"] == pytest.approx(86399)
    assert mark.detail["why"].startswith("the press claims to be 24 h old")
    # It escalates on the time it arrived, not at once for being "a day old".
    clock.advance(services.config.alarm.escalate_after_s - 1)
    assert services.alarms.escalate_due() == []
    clock.advance(1)
    assert services.alarms.escalate_due() == [receipt.alarm_id]


def test_a_press_held_for_half_an_hour_keeps_its_time_unmarked(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    """An outbox holding a press through a 30-minute outage: an ordinary late press."""
    claimed = clock.now() - timedelta(minutes=30)
    receipt = services.alarms.press(
        ButtonPress(office.device_ids[ROOM], 1, claimed, DeviceKind.SERIAL, boot_id=7)
    )
    assert receipt.created
    assert doubtful_marks(db) == []


def test_a_press_from_the_future_during_a_test_window_is_a_real_alarm_and_the_test_waits(
    db: Database, services: Services, office: SeededOffice, clock: FakeClock
) -> None:
    device_id = office.device_ids[ROOM]
    services.alarms.heard(DeviceHeard(device_id, clock.now(), DeviceKind.SERIAL))
    with db.session() as s:
        device_pk = s.scalars(
            select(PanicDevice.id).where(PanicDevice.device_id == device_id)
        ).one()
    started = services.weekly_tests.start(device_pk, office.actor("psharma"))
    clock.advance(5)
    # Stamped by a clock 10 minutes fast that never heard the server's time.
    claimed = clock.now() + timedelta(minutes=10)
    receipt = services.alarms.press(
        ButtonPress(device_id, 1, claimed, DeviceKind.SERIAL, boot_id=7)
    )
    assert receipt.created and not receipt.is_test, "a doubtful press was filed as a test"
    with db.session() as s:
        test = s.get_one(AlarmTest, started.test_id)
        assert test.pressed_at is None and test.result is TestResult.PENDING
        assert s.get_one(AlarmEvent, receipt.alarm_id).is_test is False
    [mark] = doubtful_marks(db)
    assert "after it reached the database" in mark.detail["why"]
    assert mark.detail["claimed_age_s"] == pytest.approx(-600)


def test_a_pi_booted_with_a_stale_clock_raises_on_server_time_and_ntp_changes_no_decision(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    skewed_pc: Callable[..., SkewedPC],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="safedesk.db.server_time")
    pi = skewed_pc("Bridge pi-1", -THREE_DAYS, measured=False)  # the server not read yet
    assert pi.clock.skew() is None
    device_id = office.device_ids[ROOM]
    # Its driver stamps the press before anything has read the server's clock: 3 days old.
    receipt = pi.services.alarms.press(
        ButtonPress(device_id, 1, pi.clock.now(), DeviceKind.SERIAL, boot_id=9)
    )
    with db.session() as s:
        assert utc(s.get_one(AlarmEvent, receipt.alarm_id).raised_at) == clock.now()
    assert len(doubtful_marks(db)) == 1  # the stale stamp is kept and marked
    skew = pi.clock.skew()
    assert skew is not None and skew.ahead_s == pytest.approx(-THREE_DAYS)
    assert clock_lines(caplog) == [
        "Bridge pi-1's clock is 3 days slow: alarms use the server's time"
    ]

    # NTP answers and steps the Pi's clock: the time it runs on does not move.
    clock.advance(10)
    before = pi.clock.now()
    pi.local.step(THREE_DAYS)
    assert pi.clock.now() == before == clock.now()
    assert ServerClockTimer(pi.clock, pi.services.db).measure_once() is not None
    assert clock_lines(caplog)[1:] == [
        "Bridge pi-1's clock agrees with the database server's again (off by +0.0 s)"
    ]
    clock.advance(services.config.alarm.escalate_after_s - 10 - 1)
    assert pi.services.alarms.escalate_due() == []
    clock.advance(1)
    assert pi.services.alarms.escalate_due() == [receipt.alarm_id]


def test_a_bridge_whose_first_call_is_a_timer_reads_the_servers_clock_before_deciding(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    skewed_pc: Callable[..., SkewedPC],
) -> None:
    """Booted 3 days fast (a wrong time from a bad RTC battery), the server not read yet: its
    supervision and escalation timers run before anything else touched the database."""
    receipt = services.alarms.press(
        ButtonPress(office.device_ids[ROOM], 1, clock.now(), DeviceKind.SERIAL, boot_id=7)
    )
    pi = skewed_pc("Bridge pi-1", THREE_DAYS, measured=False)
    assert not pi.services.supervision.check(), "every button announced OFFLINE at boot"
    assert pi.clock.skew() is not None
    pi2 = skewed_pc("Bridge pi-2", THREE_DAYS, measured=False)
    assert pi2.services.alarms.escalate_due() == [], "escalated at once at boot"
    clock.advance(services.config.alarm.escalate_after_s)
    assert pi2.services.alarms.escalate_due() == [receipt.alarm_id]
