"""Nothing typed on the Alarms tab presses a panic button: the desk hotkey is the keyboard's way.

A focused push button takes Space (and Enter, as a default button): a receptionist typing a note
while SafeDesk has the keyboard raised a silent alarm for her own desk, and a demo button clicked
once was pressed again by every Space after it ("pressed 3 times").
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.alarm.alarms_panel import add_alarms_panel
from desktop.app import DesktopApp, build_desktop
from desktop.shell.main_window import MainWindow
from safedesk.clock import FakeClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from safedesk.models import AlarmEvent
from safedesk.services.hub import Services
from tests.helpers.office import SeededOffice

pytestmark = pytest.mark.gui

PANELS = [add_alarms_panel]
KEYS = (
    Qt.Key.Key_Space,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Space,
    Qt.Key.Key_Return,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Space,
    Qt.Key.Key_Enter,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Space,
)


def _open(
    qtbot: QtBot,
    url: str,
    clock: FakeClock,
    desktops: list[DesktopApp],
    *,
    demo: bool,
    login: str,
    **workstation: str,
) -> MainWindow:
    config = Config(workstation=WorkstationConfig(**workstation))
    db = Database(url, pool_size=2, max_overflow=2)
    desktop = build_desktop(config, db, clock, demo=demo, sign_in_as=login, panel_factories=PANELS)
    desktops.append(desktop)
    window = desktop.window
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)
    return window


def _presses(services: Services) -> tuple[int, int]:
    """(alarms, presses) in the database."""
    with services.db.session() as s:
        alarms = s.scalar(select(func.count()).select_from(AlarmEvent)) or 0
        presses = s.scalar(select(func.coalesce(func.sum(AlarmEvent.press_count), 0))) or 0
        return alarms, presses


def _type_a_note(qtbot: QtBot, window: MainWindow) -> None:
    """Someone typing while SafeDesk has the keyboard on the Alarms tab: words, Tab, Enter.

    Only Tab goes to what is not on the tab (the status bar's "Switch user" and "Sign out" open
    dialogs of their own, which are not what this is about).
    """
    page = window.panel("Alarms")
    assert page is not None

    def on_the_tab(focus: QWidget | None) -> bool:
        if focus is None or focus is window or focus is window.tabs.tabBar():
            return True
        return page.isAncestorOf(focus)

    for _ in range(3):
        for key in (Qt.Key.Key_Tab, *KEYS):
            focus = QApplication.focusWidget()
            if key is not Qt.Key.Key_Tab and on_the_tab(focus):
                qtbot.keyClicks(focus or window, "smith ")
                focus = QApplication.focusWidget()
            if key is Qt.Key.Key_Tab or on_the_tab(focus):
                qtbot.keyClick(focus or window, key)


def _panic_buttons(window: MainWindow) -> list[QPushButton]:
    page = window.panel("Alarms")
    assert page is not None
    return [b for b in page.findChildren(QPushButton) if b.text() != "Show alert"]


def test_typing_on_the_alarms_tab_does_not_press_a_demo_button_again(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
) -> None:
    window = _open(qtbot, db_url, clock, desktops, demo=True, login="twhitfield", name="Demo PC")
    panel = window.panel("Alarms")
    assert panel is not None
    desk_button = next(
        b for b in _panic_buttons(window) if "this PC's desk: silent here" in b.text()
    )
    # One deliberate click: this PC's own desk, so no alert covers the tab (silent here).
    qtbot.mouseClick(desk_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _presses(services) == (1, 1), timeout=5000)

    _type_a_note(qtbot, window)
    qtbot.wait(500)

    assert _presses(services) == (1, 1)  # not "pressed 3 times", no other room's alarm
    assert QApplication.focusWidget() not in _panic_buttons(window)
    assert all(b.focusPolicy() is Qt.FocusPolicy.NoFocus for b in _panic_buttons(window))


def test_a_stray_space_at_the_reception_desk_raises_no_silent_alarm(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
) -> None:
    window = _open(
        qtbot,
        db_url,
        clock,
        desktops,
        demo=False,
        login="psharma",
        name="RECEPTION-1",
        mode="reception",
        desk="Reception desk 1",
    )
    panic = window.panic_button
    assert panic is not None and panic.button.isVisible()

    _type_a_note(qtbot, window)
    qtbot.wait(1000)  # a press would be delivered off the GUI thread by now

    assert _presses(services) == (0, 0)
    assert panic.result.text() == ""  # not "Sending…" or "Sent"
    assert QApplication.focusWidget() is not panic.button
    # The on-screen button still works for a deliberate click.
    qtbot.mouseClick(panic.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _presses(services) == (1, 1), timeout=5000)
    qtbot.waitUntil(lambda: panic.result.text().startswith("✔ Sent"), timeout=5000)
