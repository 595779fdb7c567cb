"""PC clocks report, the server's clock decides (issue 12, hole 4), on the press path itself.

A bridge 10 minutes fast raised an alarm that did not escalate (it would have after 10.5
minutes); 10 minutes slow, it escalated at once; its live buttons showed OFFLINE and the PCs
flapped OFFLINE/ONLINE; a dead button heard by a fast PC stayed "online" for 10 minutes; a
weekly-test press through it became a real alarm while the test waited. Here a PC or bridge
10 minutes off the server (the test's FakeClock) runs the real services, as production wires
them, against the office's PC whose clock is right. SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from safedesk.alarm_bus import DeviceOffline, DeviceOnline
from safedesk.button_events import ButtonPress, DeviceHeard, DeviceKind, PressReceipt
from safedesk.clock import FakeClock, utc
from safedesk.db import Database
from safedesk.models import AlarmEvent, AlarmTest, BusEvent, PanicDevice, TestResult
from safedesk.services.hub import Services
from safedesk.services.weekly_test.checklist import ItemState
from safedesk.services.weekly_test.expiry import EXPIRY_GRACE_S
from tests.clock.conftest import TEN_MINUTES, SeededOffice, SkewedPC

ROOM = "Interview Room 1"
OFF_BY = pytest.mark.parametrize(
    "ahead_s", [TEN_MINUTES, -TEN_MINUTES], ids=["10-min-fast", "10-min-slow"]
)


def press_through(pc: SkewedPC, device_id: str, seq: int, age_s: float = 0.4) -> PressReceipt:
    """A driver on ``pc`` stamps the press with the time it runs on, less the button's age."""
    return pc.services.alarms.press(
        ButtonPress(
            device_id=device_id,
            sequence=seq,
            pressed_at=pc.clock.now() - timedelta(seconds=age_s),
            source=DeviceKind.SERIAL,
            boot_id=0x5AFE,
        )
    )


def all_device_ids(db: Database) -> list[str]:
    with db.session() as s:
        return list(s.scalars(select(PanicDevice.device_id).order_by(PanicDevice.id)))


def device_events(db: Database) -> list[tuple[str, str]]:
    with db.session() as s:
        rows = s.execute(
            select(BusEvent.kind, BusEvent.payload)
            .where(BusEvent.kind.in_([DeviceOffline.KIND, DeviceOnline.KIND]))
            .order_by(BusEvent.id)
        ).all()
    return [(kind, payload["device_id"]) for kind, payload in rows]


@OFF_BY
def test_an_alarm_through_a_bridge_ten_minutes_off_escalates_after_exactly_escalate_after_s(
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    skewed_pc: Callable[..., SkewedPC],
    ahead_s: float,
) -> None:
    bridge = skewed_pc("Bridge BRIDGE-1", ahead_s)
    after_s = services.config.alarm.escalate_after_s
    receipt = press_through(bridge, office.device_ids[ROOM], 1)
    assert receipt.created and not receipt.is_test
    with services.db.session() as s:
        alarm = s.get_one(AlarmEvent, receipt.alarm_id)
        assert utc(alarm.raised_at) == clock.now()  # the server's time, not the bridge's
        # The press keeps the time it was stamped with (the bridge ran on the server's time).
        assert utc(alarm.pressed_at) == clock.now() - timedelta(seconds=0.4)

    clock.advance(after_s - 0.001)
    # Not at once: neither the office's PC nor the bridge itself escalates it early.
    assert services.alarms.escalate_due() == []
    assert bridge.services.alarms.escalate_due() == []
    clock.advance(0.001)
    # Exactly on time (not after 10.5 minutes), by whichever PC looks first, once.
    assert bridge.services.alarms.escalate_due() == [receipt.alarm_id]
    assert services.alarms.escalate_due() == []
    with services.db.session() as s:
        alarm = s.get_one(AlarmEvent, receipt.alarm_id)
        assert alarm.escalated_at is not None
        assert utc(alarm.escalated_at) - utc(alarm.raised_at) == timedelta(seconds=after_s)


@OFF_BY
def test_live_buttons_stay_online_and_nothing_flaps_when_a_bridge_is_ten_minutes_off(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    skewed_pc: Callable[..., SkewedPC],
    ahead_s: float,
) -> None:
    """20 s of heartbeats every 2 s through the skewed bridge, both PCs supervising every second."""
    bridge = skewed_pc("Bridge BRIDGE-1", ahead_s)
    devices = all_device_ids(db)
    for second in range(20):
        if second % 2 == 0:
            for device_id in devices:
                bridge.services.alarms.heard(
                    DeviceHeard(device_id, bridge.clock.now(), DeviceKind.SERIAL)
                )
        assert not services.supervision.check(), f"the office PC announced a change at {second} s"
        assert not bridge.services.supervision.check(), f"the bridge announced one at {second} s"
        clock.advance(1)
    assert device_events(db) == []
    assert services.supervision.offline_devices(office.office_id) == []
    assert bridge.services.supervision.offline_devices(office.office_id) == []


def test_a_dead_button_heard_by_a_fast_pc_goes_offline_on_time(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    skewed_pc: Callable[..., SkewedPC],
) -> None:
    """Even heartbeats stamped with the fast PC's own clock (a driver that has no server time)
    keep a button "seen" only until the server's now."""
    fast = skewed_pc("PC-FAST", TEN_MINUTES)
    dead = office.device_ids[ROOM]
    limit_s = services.config.devices.offline_after_s
    devices = all_device_ids(db)
    for device_id in devices:
        fast.services.alarms.heard(DeviceHeard(device_id, fast.local.now(), DeviceKind.SERIAL))
    last_heard = clock.now()
    went_offline_after: list[float] = []
    for _ in range(4 * limit_s):
        clock.advance(0.5)
        for device_id in devices:
            if device_id != dead:
                fast.services.alarms.heard(
                    DeviceHeard(device_id, fast.local.now(), DeviceKind.SERIAL)
                )
        for pc in (services, fast.services):
            if pc.supervision.check().went_offline == [dead]:
                went_offline_after.append((clock.now() - last_heard).total_seconds())
    # Announced once, at the first check past its limit: not 10 minutes later.
    assert went_offline_after == [limit_s + 0.5]
    assert device_events(db) == [(DeviceOffline.KIND, dead)]
    [offline] = fast.services.supervision.offline_devices(office.office_id)
    assert offline.text == f"Panic button in {ROOM} OFFLINE"


@OFF_BY
def test_a_weekly_test_press_through_a_bridge_ten_minutes_off_completes_the_test(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    skewed_pc: Callable[..., SkewedPC],
    ahead_s: float,
) -> None:
    """The tester's PC is 10 minutes off the other way: the window is opened on the server's
    time too."""
    bridge = skewed_pc("Bridge BRIDGE-1", ahead_s)
    tester_pc = skewed_pc("PC-psharma", -ahead_s)
    device_id = office.device_ids[ROOM]
    bridge.services.alarms.heard(DeviceHeard(device_id, bridge.clock.now(), DeviceKind.SERIAL))
    with db.session() as s:
        device_pk = s.scalars(
            select(PanicDevice.id).where(PanicDevice.device_id == device_id)
        ).one()
    desk = tester_pc.services.weekly_tests
    started = desk.start(device_pk, office.actor("psharma"))
    assert not started.offline
    window_s = services.config.weekly_test.window_s
    assert started.window_ends_at == clock.now() + timedelta(seconds=window_s)

    clock.advance(8)
    receipt = press_through(bridge, device_id, 1, age_s=0.25)
    assert receipt.is_test, "the test press became a real alarm"
    with db.session() as s:
        test = s.get_one(AlarmTest, started.test_id)
        assert test.result is TestResult.PENDING
        assert test.pressed_at is not None and test.received_at is not None
        assert utc(test.received_at) == clock.now()
        assert utc(test.pressed_at) == clock.now() - timedelta(seconds=0.25)
        assert test.latency_ms == pytest.approx(250)
        assert s.scalars(select(AlarmEvent.is_test)).all() == [True]
    states = {i.room_name: i.state for i in services.weekly_tests.checklist(office.office_id).items}
    assert states[ROOM] is ItemState.AWAITING_RESULT


def test_test_windows_close_on_the_servers_time_whichever_pc_runs_the_timer(
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    skewed_pc: Callable[..., SkewedPC],
) -> None:
    fast = skewed_pc("PC-FAST", TEN_MINUTES)
    slow = skewed_pc("PC-SLOW", -TEN_MINUTES)
    device_id = office.device_ids[ROOM]
    services.alarms.heard(DeviceHeard(device_id, clock.now(), DeviceKind.SERIAL))
    with db.session() as s:
        device_pk = s.scalars(
            select(PanicDevice.id).where(PanicDevice.device_id == device_id)
        ).one()
    started = services.weekly_tests.start(device_pk, office.actor("psharma"))
    window_s = services.config.weekly_test.window_s
    clock.advance(window_s + EXPIRY_GRACE_S - 1)
    assert fast.services.weekly_tests.expire_windows() == []  # a fast PC closes nothing early
    assert slow.services.weekly_tests.expire_windows() == []
    clock.advance(2)
    assert slow.services.weekly_tests.expire_windows() == [started.test_id]  # nor late
    assert fast.services.weekly_tests.expire_windows() == []
