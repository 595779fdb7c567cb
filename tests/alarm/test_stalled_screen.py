"""A responder screen that stalls says it fell behind, stays bounded, and misses nothing.

Issue 12, hole 10: a subscriber that stopped draining grew without bound. The real desktop (main
window at 1366x768, its bus adapter and alert windows) is stalled inside its worker while another
PC raises alarms in a flood of other bus events; its queue stays bounded, its header says BEHIND
while it reads the rest back from the log by id, and every alarm reaches its screen, once.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop.alarm.alarms_panel import add_alarms_panel
from desktop.app import DesktopApp, build_desktop
from safedesk.alarm_bus import BusMessage, DeviceOnline
from safedesk.alarm_bus.interface import MAX_QUEUED
from safedesk.button_events import ButtonPress, DeviceKind
from safedesk.clock import FakeClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from safedesk.services.alarms.alert_views import AlertView
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice

pytestmark = pytest.mark.gui

ALARM_PANELS = [add_alarms_panel]
FLOOD = 2 * MAX_QUEUED + 500


@pytest.fixture
def responder_pc(db_url: str, clock: FakeClock, qtbot: QtBot) -> Iterator[DesktopApp]:
    config = Config(workstation=WorkstationConfig(name="PC-twhitfield", mode="responder"))
    # The stall is the point here, not the connection watchdog: give it room.
    config = dataclasses.replace(
        config, alarm=dataclasses.replace(config.alarm, disconnected_banner_after_s=60)
    )
    db = Database(db_url, pool_size=2, max_overflow=2)
    desktop = build_desktop(
        config, db, clock, demo=False, sign_in_as="twhitfield", panel_factories=ALARM_PANELS
    )
    desktop.window.resize(1366, 768)
    desktop.window.show()
    qtbot.waitExposed(desktop.window)
    try:
        yield desktop
    finally:
        desktop.shutdown()
        desktop.window.close_guard = None
        desktop.window.close()
        desktop.services.db.dispose()
        for qobject in (desktop.window, desktop.controller, desktop.adapter, desktop.sound):
            qobject.deleteLater()


def _press(services: Services, office: SeededOffice, clock: FakeClock, room: str, seq: int) -> int:
    press = ButtonPress(office.device_ids[room], seq, clock.now(), DeviceKind.SERIAL, boot_id=9)
    return services.alarms.press(press).alarm_id


def test_a_stalled_responder_screen_says_it_fell_behind_and_then_shows_every_alarm(
    qtbot: QtBot,
    db: Database,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    responder_pc: DesktopApp,
) -> None:
    adapter = responder_pc.adapter
    header = responder_pc.window.header
    qtbot.waitUntil(lambda: adapter._sub is not None and header.connection.text() == "Connected")

    # The screen's worker hangs in the middle of showing an alarm (a slow disk, a stuck call).
    release = threading.Event()
    stalled = threading.Event()
    real_alert = responder_pc.services.alarms.alert

    def hanging_alert(alarm_id: int) -> AlertView:
        if threading.current_thread().name == "safedesk-bus-adapter" and not release.is_set():
            stalled.set()
            release.wait(60)
        return real_alert(alarm_id)

    responder_pc.services.alarms.alert = hanging_alert  # type: ignore[method-assign]
    seen: list[int] = []
    adapter.message.connect(lambda m: seen.append(m.id) if isinstance(m, BusMessage) else None)
    said: list[tuple[bool, str]] = []
    adapter.lag_changed.connect(lambda behind, _d: said.append((behind, header.connection.text())))

    rooms = ["Interview Room 1", "Interview Room 2", "Interview Room 3", "Reception desk 1"]
    alarm_ids = [_press(services, office, clock, rooms[0], 1)]
    assert stalled.wait(10)
    published: list[int] = []
    for n, room in enumerate(rooms[1:], start=2):
        with db.session() as s:
            for _ in range(FLOOD // 3):
                event: Any = DeviceOnline(
                    office_id=office.office_id,
                    device_id="pico-flood",
                    room_id=None,
                    room_name="Flood",
                    at=clock.now(),
                )
                published.append(services.bus.publish(s, event, at=clock.now()))
        alarm_ids.append(_press(services, office, clock, room, n))
    sub = adapter._sub
    assert sub is not None
    qtbot.waitUntil(lambda: sub.lag().behind, timeout=10000)
    assert len(sub._queue) <= MAX_QUEUED  # bounded while nobody drains it

    release.set()
    qtbot.waitUntil(
        lambda: all(a in responder_pc.controller.windows for a in alarm_ids), timeout=30000
    )
    qtbot.waitUntil(lambda: bool(said) and said[-1][0] is False, timeout=30000)
    assert said[0] == (True, "BEHIND: catching up")
    assert header.connection.text() == "Connected"
    # Every bus message reached the screen, once, in order: nothing lost while it was behind.
    assert set(published) <= set(seen)
    assert len(seen) == len(set(seen)) and seen == sorted(seen)
    window = responder_pc.controller.windows[alarm_ids[-1]]
    assert window.room_label.text() == rooms[-1]
