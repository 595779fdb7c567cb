"""A bug on this PC is shown as an internal error, never as "cannot reach the database".

Real parts: the whole desktop (build_desktop) on a migrated SQLite file database, shown and
clicked as a person does; a table dropped under it (what a missing migration or a wrong file
leaves). Before: SQLite's "no such table" came out as "the database is unreachable": the desk's
press line said "HELD: will be sent as soon as the database answers" and the banner "NOT
CONNECTED ... No contact with the SafeDesk database", sending IT to look at a network that works.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from desktop.alarm.alarms_panel import add_alarms_panel
from desktop.alarm.panic_button import INTERNAL_ERROR_TEXT as PRESS_INTERNAL_ERROR
from desktop.app import DesktopApp, build_desktop
from desktop.shell.connection_banner import INTERNAL_ERROR_TEXT as BANNER_INTERNAL_ERROR
from safedesk.cli.context import CliContext
from safedesk.clock import FakeClock
from safedesk.config import Config, DatabaseConfig, DevicesConfig, WorkstationConfig
from tests.helpers.office import SeededOffice

pytestmark = [pytest.mark.gui]
on_sqlite = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def drop_table(url: str, table: str) -> None:
    with sqlite3.connect(make_url(url).database or "") as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(f"DROP TABLE {table}")


@pytest.fixture
def desk(qtbot: QtBot, db_url: str, office: SeededOffice, clock: FakeClock) -> Iterator[DesktopApp]:
    config = Config(
        database=DatabaseConfig(url=db_url, pool_size=2, max_overflow=2),
        workstation=WorkstationConfig(
            name="PC-RECEPTION-1", mode="reception", desk="Reception desk 1"
        ),
        devices=DevicesConfig(usb_ids=[]),
    )
    db = CliContext(config).new_database()  # as the app opens it
    desktop = build_desktop(
        config, db, clock, demo=False, sign_in_as="gholt", panel_factories=[add_alarms_panel]
    )
    window = desktop.window
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    yield desktop
    desktop.shutdown()
    window.close_guard = None
    window.close()
    db.dispose()
    for qobject in (window, desktop.controller, desktop.adapter, desktop.sound):
        qobject.deleteLater()


@on_sqlite
def test_a_desk_press_that_hits_a_missing_table_says_internal_error_and_is_kept(
    qtbot: QtBot, db_url: str, desk: DesktopApp
) -> None:
    panic = desk.window.panic_button
    assert panic is not None and panic.isVisible()
    drop_table(db_url, "alarm_presses")

    qtbot.mouseClick(panic.button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: panic.result.text() == PRESS_INTERNAL_ERROR, timeout=8000)
    assert "INTERNAL ERROR" in panic.result.text() and "see the log" in panic.result.text()
    assert "database answers" not in panic.result.text()
    assert desk.services.presses is not None and desk.services.presses.backlog == 1  # kept
    assert not desk.window.banner.isVisible()  # the bus still works: no banner for this


@on_sqlite
def test_a_press_held_in_an_outage_that_then_hits_a_bug_says_internal_error_not_held(
    qtbot: QtBot, db_url: str, desk: DesktopApp
) -> None:
    panic = desk.window.panic_button
    assert panic is not None and panic.isVisible()
    # The outage: another process holds SQLite's exclusive lock, so the press cannot be stored.
    other = sqlite3.connect(make_url(db_url).database or "", isolation_level=None)
    other.execute("PRAGMA foreign_keys = OFF")
    other.execute("BEGIN EXCLUSIVE")
    try:
        qtbot.mouseClick(panic.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "HELD" in panic.result.text(), timeout=15000)
        assert "database answers" in panic.result.text()  # an outage: said as one
        # The database comes back, but without the table the press goes into (a bug).
        other.execute("DROP TABLE alarm_presses")
    finally:
        other.execute("COMMIT")
        other.close()

    qtbot.waitUntil(lambda: panic.result.text() == PRESS_INTERNAL_ERROR, timeout=15000)
    assert "database answers" not in panic.result.text()
    assert desk.services.presses is not None and desk.services.presses.backlog == 1  # kept


@on_sqlite
def test_a_missing_alarm_bus_table_raises_the_internal_error_banner_not_not_connected(
    qtbot: QtBot, db_url: str, desk: DesktopApp
) -> None:
    banner = desk.window.banner
    assert not banner.isVisible()
    drop_table(db_url, "bus_events")

    qtbot.waitUntil(banner.isVisible, timeout=10000)

    assert banner.title.text() == BANNER_INTERNAL_ERROR
    assert "no such table: bus_events" in banner.detail.text()
    assert "No contact with the SafeDesk database" not in banner.detail.text()
    assert desk.window.header.connection.label.text() == "INTERNAL ERROR"


@pytest.fixture
def excepthooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's hooks (safedesk.log_file), undone after the test by monkeypatch."""
    import sys
    import threading

    from safedesk.log_file import install_excepthooks

    monkeypatch.setattr(sys, "excepthook", lambda *_: None)  # pytest-qt's capture is off here
    monkeypatch.setattr(threading, "excepthook", lambda _args: None)
    install_excepthooks()


@on_sqlite
@pytest.mark.qt_no_exception_capture
def test_an_exception_escaping_a_slot_or_a_thread_is_said_in_the_header_with_the_log_file(
    qtbot: QtBot, desk: DesktopApp, excepthooks: None, tmp_path: Path
) -> None:
    import threading

    from PySide6.QtCore import QTimer

    strip = desk.window.header.internal_error_strip
    assert not strip.isVisible()  # nothing has gone wrong yet
    strip.listen(tmp_path / "safedesk.log")

    def broken_slot() -> None:
        raise ValueError("visit 17 has no office")

    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(strip.isVisible, timeout=3000)
    text = strip.label.text()
    assert text.startswith("INTERNAL ERROR in SafeDesk")
    assert "ValueError: visit 17 has no office" in text
    assert "safedesk.log" in text  # where IT finds the traceback

    worker = threading.Thread(target=lambda: 1 / 0, name="safedesk-test-worker")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: "ZeroDivisionError" in strip.label.text(), timeout=3000)
    assert "2 times" in strip.label.text()

    # A key typed elsewhere never hides it; only a deliberate click on Hide does.
    qtbot.keyClick(desk.window, Qt.Key.Key_Space)
    qtbot.keyClick(desk.window, Qt.Key.Key_Return)
    assert strip.isVisible()
    qtbot.mouseClick(strip.hide_button, Qt.MouseButton.LeftButton)
    assert not strip.isVisible()


def test_the_tray_says_internal_error_for_a_bug_and_not_connected_for_an_outage() -> None:
    from desktop.shell.tray import TrayState
    from safedesk.db.failures import internal_error_text

    bug = TrayState(
        connected=False,
        connection_detail=internal_error_text(RuntimeError("no such table: bus_events")),
    )
    outage = TrayState(connected=False, connection_detail="connection refused")
    assert BANNER_INTERNAL_ERROR in bug.lines()
    assert "NOT CONNECTED: this PC will not receive alarms" in outage.lines()
    assert BANNER_INTERNAL_ERROR not in outage.lines()
