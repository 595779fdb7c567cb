"""The real bridge daemon with its clock 10 minutes fast and slow (issue 12, hole 4).

A USB button on a pty heartbeats every 0.2 s through the bridge (supervision on); the office's
PC, whose clock is right, supervises too. PostgreSQL: the server's own clock is read by the
bridge. SQLite runs inside the process that opens it, so its "server clock" is the clock of the
machine the file is on: here the test machine's, which the bridge is told.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from firmware_bridge.bridge import Bridge
from firmware_bridge.bridge_config import parse_bridge_config
from hardware.serial_button import SerialButtonConfig
from hardware.serial_device_sim import SimulatedSerialDevice
from safedesk.alarm_bus import (
    AlarmRaised,
    BusMessage,
    DeviceOffline,
    DeviceOnline,
    Subscription,
    TestPressReceived,
)
from safedesk.clock import SkewedClock, SystemClock, utc
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmTest, AuditEntry, BusEvent, PanicDevice
from safedesk.services.hub import Services
from safedesk.services.weekly_test.desk import WeeklyTestDesk
from tests.clock.conftest import TEN_MINUTES
from tests.helpers.office import SeededOffice
from tests.helpers.waiting import eventually

ROOM = "Interview Room 1"
OFF_BY = pytest.mark.parametrize(
    "ahead_s", [TEN_MINUTES, -TEN_MINUTES], ids=["10-min-fast", "10-min-slow"]
)


def next_event(sub: Subscription, kind: type, timeout: float = 10.0) -> BusMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sub.get(timeout=0.2):
            if isinstance(message.event, kind):
                return message
    raise AssertionError(f"no {kind.__name__} on the bus")


def server_time(db: Database) -> datetime:
    """The database server's clock, read directly (SQLite: this machine's)."""
    if not db.is_postgresql:
        return datetime.now(UTC)
    with db.session() as s:
        value = s.scalar(text("SELECT clock_timestamp()"))
    assert isinstance(value, datetime)
    return value.astimezone(UTC)


@pytest.fixture
def usb_button(office: SeededOffice, tmp_path: Path) -> Iterator[SimulatedSerialDevice]:
    device = SimulatedSerialDevice(
        device_id=office.device_ids[ROOM],
        heartbeat_s=0.2,
        resend_s=0.2,
        host_timeout_s=2.0,
        link_path=tmp_path / "ttyBUTTON",
    )
    device.plug_in()
    yield device
    device.close()


@pytest.fixture
def office_pc(db_url: str) -> Iterator[Services]:
    """The office's PC, its clock right (the test machine's: the server's, on PostgreSQL too)."""
    pc = Services.build(Config(), Database(db_url), SystemClock(), "OFFICE-PC")
    yield pc
    pc.close()
    pc.db.dispose()


@pytest.fixture
def skewed_bridge(
    db_url: str, db: Database, usb_button: SimulatedSerialDevice, tmp_path: Path
) -> Iterator[Callable[[float], Bridge]]:
    started: list[Bridge] = []

    def start(ahead_s: float) -> Bridge:
        # The button was heard a moment ago (the office's seed is from another day): a working
        # office whose bridge restarts.
        with db.session() as s:
            s.execute(
                update(PanicDevice)
                .where(PanicDevice.device_id == usb_button.device_id)
                .values(last_seen_at=server_time(db))
            )
        before = last_seen(db, usb_button.device_id)
        config = parse_bridge_config(
            {
                "database": {"url": db_url},
                "bridge": {
                    "name": "BRIDGE-1",
                    "outbox": str(tmp_path / "outbox.sqlite3"),
                    "supervise": True,
                },
                "serial": {"ports": [usb_button.port_path], "discover": False},
            },
            "bridge.toml",
        )
        bridge = Bridge.build(
            config,
            SkewedClock(SystemClock(), ahead_s),  # the Pi's own clock
            serial_overrides=SerialButtonConfig(
                port_urls=(usb_button.port_path,), discover=False, scan_interval_s=0.05
            ),
            supervision_interval_s=0.2,
            server=None if db.is_postgresql else SystemClock(),
        )
        bridge.start()
        started.append(bridge)
        assert eventually(lambda: bridge.clock.skew() is not None), "server clock never read"
        assert eventually(
            lambda: any(usb_button.device_id in s.online_devices() for s in bridge.sources)
        ), "the bridge never heard the USB button"
        assert eventually(lambda: last_seen(db, usb_button.device_id) > before), (
            "the bridge's heartbeats do not keep the button seen"
        )
        return bridge

    yield start
    for bridge in started:
        bridge.stop()


def button_events(db: Database, device_id: str) -> list[str]:
    with db.session() as s:
        rows = s.execute(
            select(BusEvent.kind, BusEvent.payload)
            .where(BusEvent.kind.in_([DeviceOffline.KIND, DeviceOnline.KIND]))
            .order_by(BusEvent.id)
        ).all()
    return [kind for kind, payload in rows if payload["device_id"] == device_id]


def last_seen(db: Database, device_id: str) -> datetime:
    with db.session() as s:
        seen = s.scalar(select(PanicDevice.last_seen_at).where(PanicDevice.device_id == device_id))
    assert seen is not None
    return utc(seen)


def clock_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage().split(" (measured")[0]
        for r in caplog.records
        if r.name == "safedesk.db.server_time" and r.levelno >= logging.WARNING
    ]


@OFF_BY
def test_a_bridge_ten_minutes_off_says_so_keeps_its_button_online_and_raises_on_server_time(
    db: Database,
    office: SeededOffice,
    usb_button: SimulatedSerialDevice,
    office_pc: Services,
    skewed_bridge: Callable[[float], Bridge],
    caplog: pytest.LogCaptureFixture,
    ahead_s: float,
) -> None:
    caplog.set_level(logging.INFO)
    bridge = skewed_bridge(ahead_s)
    skew = bridge.clock.skew()
    assert skew is not None and skew.ahead_s == pytest.approx(ahead_s, abs=1.0)
    words = "fast" if ahead_s > 0 else "slow"

    # Three seconds of heartbeats; the bridge and the office's PC both supervise.
    deadline = time.monotonic() + 3.0
    while time.monotonic() < deadline:
        office_pc.supervision.check()
        time.sleep(0.2)
    assert button_events(db, usb_button.device_id) == [], "OFFLINE/ONLINE flapping"
    offline = {d.device_id for d in office_pc.supervision.offline_devices(office.office_id)}
    assert usb_button.device_id not in offline

    with office_pc.bus.subscribe() as sub:
        usb_button.press()
        raised = next_event(sub, AlarmRaised).event
    assert isinstance(raised, AlarmRaised) and raised.room_name == ROOM
    assert abs((server_time(db) - raised.raised_at).total_seconds()) < 5
    with db.session() as s:
        alarm = s.get_one(AlarmEvent, raised.alarm_id)
        raised_at = utc(alarm.raised_at)
        assert abs((raised_at - utc(alarm.pressed_at)).total_seconds()) < 5
    after = timedelta(seconds=office_pc.config.alarm.escalate_after_s)
    assert office_pc.alarms.escalate_due(raised_at + after - timedelta(seconds=0.01)) == []
    assert office_pc.alarms.escalate_due(raised_at + after) == [raised.alarm_id]

    # The bridge's log says it once (heartbeats and readings every minute add nothing).
    assert clock_lines(caplog) == [
        f"Bridge BRIDGE-1's clock is 10 min {words}: alarms use the server's time"
    ]


@OFF_BY
def test_a_weekly_test_press_through_a_real_bridge_ten_minutes_off_completes_the_test(
    db: Database,
    office: SeededOffice,
    usb_button: SimulatedSerialDevice,
    office_pc: Services,
    skewed_bridge: Callable[[float], Bridge],
    ahead_s: float,
) -> None:
    skewed_bridge(ahead_s)
    with db.session() as s:
        device_pk = s.scalars(
            select(PanicDevice.id).where(PanicDevice.device_id == usb_button.device_id)
        ).one()
    desk = WeeklyTestDesk(db, SystemClock(), Config())  # the tester's PC
    assert not desk.start(device_pk, office.actor("psharma")).offline
    with office_pc.bus.subscribe() as sub:
        usb_button.press()
        received = next_event(sub, TestPressReceived).event
    assert isinstance(received, TestPressReceived)
    assert usb_button.wait_for_led("test")
    assert 0 <= received.latency_ms < 5000
    with db.session() as s:
        test = s.get_one(AlarmTest, received.test_id)
        assert test.pressed_at is not None and test.alarm_id == received.alarm_id
        assert s.scalars(select(AlarmEvent.is_test)).all() == [True]


def test_a_frame_claiming_a_24_hour_old_press_raises_now_and_is_marked(
    db: Database,
    office: SeededOffice,
    usb_button: SimulatedSerialDevice,
    office_pc: Services,
    skewed_bridge: Callable[[float], Bridge],
) -> None:
    skewed_bridge(-TEN_MINUTES)
    almost_a_day_ms = 24 * 3600 * 1000 - 1000
    with office_pc.bus.subscribe() as sub:
        usb_button.send_frame(usb_button.press_frame(1, age_ms=almost_a_day_ms))
        raised = next_event(sub, AlarmRaised).event
    assert isinstance(raised, AlarmRaised)
    assert abs((server_time(db) - raised.raised_at).total_seconds()) < 5
    with db.session() as s:
        mark = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "alarm.press_time_doubtful")
        ).one()
    assert mark.subject_id == raised.alarm_id
    assert mark.detail["claimed_age_s"] == pytest.approx(almost_a_day_ms / 1000, abs=5)
