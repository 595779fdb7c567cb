"""The weekly test tab inside the real main window: header chip, problem strip, live test press."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop.app import DesktopApp, build_desktop
from desktop.weekly_test.flag_list import ButtonFlagList
from desktop.weekly_test.weekly_test_page import WeeklyTestPage, add_weekly_test_panel
from safedesk.alarm_bus import TestPressReceived
from safedesk.clock import FakeClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from tests.weekly_test.office_builder import TestOffice

pytestmark = pytest.mark.gui

FACTORY = add_weekly_test_panel


@pytest.fixture
def desktop(db_url: str, office: TestOffice, clock: FakeClock) -> Iterator[DesktopApp]:
    config = Config(workstation=WorkstationConfig(name="RECEPTION-1", mode="reception"))
    db = Database(db_url, pool_size=2, max_overflow=2)
    app = build_desktop(config, db, clock, demo=False, panel_factories=[FACTORY])
    app.window.show()
    yield app
    app.shutdown()
    app.window.close_guard = None
    app.window.close()
    db.dispose()


def test_weekly_test_tab_fills_the_header_chip_and_the_problem_strip(
    qtbot: QtBot, desktop: DesktopApp, clock: FakeClock, office: TestOffice
) -> None:
    window = desktop.window
    page = window.panel("Weekly alarm test")
    assert isinstance(page, WeeklyTestPage)
    assert window.header.weekly_test.text() == "Weekly alarm test: 0 of 4"
    strip = window.findChild(ButtonFlagList)
    assert strip is not None and strip.isHidden()  # Monday morning: only due, nothing wrong
    clock.advance(hours=15)  # Tuesday: overdue, and no heartbeats since Monday
    page.status.refresh()
    assert "4 need attention" in window.header.weekly_test.text()
    assert strip.isVisible()
    assert "Panic button OFFLINE" in strip.lines[0].findChildren(type(strip.title))[-1].text()


def test_a_test_press_on_the_bus_updates_the_checklist(
    qtbot: QtBot, desktop: DesktopApp, clock: FakeClock, office: TestOffice
) -> None:
    window = desktop.window
    page = window.panel("Weekly alarm test")
    assert isinstance(page, WeeklyTestPage)
    window.bus.test_press.emit(
        TestPressReceived(
            office_id=office.office_id,
            alarm_id=1,
            test_id=1,
            device_id=office.device_ids["Interview Room 2"],
            room_id=office.rooms["Interview Room 2"],
            room_name="Interview Room 2",
            pressed_at=clock.now(),
            received_at=clock.now(),
            latency_ms=123.0,
        )
    )
    assert "Press received from Interview Room 2: 123 ms" in page.checklist.message.text()
