"""The whole desktop on one PC: header, panels, the reception panic button, connection loss."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from psycopg import sql
from pytestqt.qtbot import QtBot
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from desktop.app import DesktopApp, build_desktop
from desktop.shell.connection_banner import NOT_CONNECTED_TEXT
from desktop.shell.main_window import MainWindow
from safedesk.clock import FakeClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from safedesk.models import RotaShift
from safedesk.services.hub import Services
from tests.desktop.conftest import SeededOffice
from tests.support import postgres

# The alarm path's own panels; other areas test theirs (some load in the background).
ALARM_PANELS = [
    "desktop.alarm.alarms_panel:add_alarms_panel",
    "desktop.alarm.incidents_view:add_incidents_panel",
]


@pytest.fixture
def desktops() -> Iterator[list[DesktopApp]]:
    opened: list[DesktopApp] = []
    yield opened
    for desktop in opened:
        desktop.shutdown()
        desktop.window.close_guard = None
        desktop.window.close()
        desktop.services.db.dispose()
        for qobject in (desktop.window, desktop.controller, desktop.adapter, desktop.sound):
            qobject.deleteLater()


def _open(
    url: str, clock: FakeClock, login: str, desktops: list[DesktopApp], **workstation: str
) -> DesktopApp:
    config = Config(workstation=WorkstationConfig(name=f"PC-{login}", **workstation))
    db = Database(url, pool_size=2, max_overflow=2)
    desktop = build_desktop(
        config, db, clock, demo=False, sign_in_as=login, panel_factories=ALARM_PANELS
    )
    desktops.append(desktop)
    desktop.window.show()
    return desktop


def test_header_shows_office_pc_user_and_who_is_on_duty(
    qtbot: QtBot,
    db_url: str,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
) -> None:
    window = _open(db_url, clock, "twhitfield", desktops, mode="responder").window
    header = window.header
    assert header.where.text() == "Derby Central Housing Office"
    assert "PC-twhitfield (Responder)" in header.who.text()
    assert "Signed in: Tom Whitfield" in header.who.text()
    assert window.current_actor().staff_id == office.staff_ids["twhitfield"]
    # Tom's own PC heartbeats with him signed in: he is on the rota and can be reached.
    qtbot.waitUntil(
        lambda: header.rota.text().startswith("Responders reachable: 1 of"), timeout=5000
    )
    assert "Tom Whitfield: signed in on PC-twhitfield" in header.rota.toolTip()
    assert not header.rota_strip.isVisible()
    header.set_weekly_test(7, 9, problems=1)
    assert header.weekly_test.text() == "Weekly alarm test: 7 of 9 (1 needs attention)"


def test_every_screen_warns_when_nobody_is_on_the_rota(
    qtbot: QtBot,
    db_url: str,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
) -> None:
    setup = Database(db_url)
    with setup.session() as s:
        s.execute(delete(RotaShift))
    setup.dispose()
    window = _open(db_url, clock, "psharma", desktops, mode="reception").window
    qtbot.waitUntil(window.header.rota_strip.isVisible, timeout=5000)
    assert "NOBODY IS ON THE RESPONDER ROTA" in window.header.rota_strip.text()
    assert window.header.rota.text() == "NOBODY ON THE ROTA"


def test_panels_are_added_through_the_factory_list_and_a_broken_one_does_not_stop_the_window(
    qtbot: QtBot,
    db_url: str,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
) -> None:
    from desktop.shell import main_window

    added: list[MainWindow] = []

    def factory(window: MainWindow) -> None:
        added.append(window)
        from PySide6.QtWidgets import QLabel

        window.add_panel(QLabel("hello"), "Extra")

    main_window.__dict__["_test_factory"] = factory
    try:
        config = Config(workstation=WorkstationConfig(name="PC-x", mode="manager"))
        db = Database(db_url)
        desktop = build_desktop(
            config,
            db,
            clock,
            demo=False,
            sign_in_as="hmarsh",
            panel_factories=[
                "desktop.shell.main_window:_test_factory",
                "desktop.no_such_module:add_panel",
                "desktop.alarm.incidents_view:add_incidents_panel",
            ],
        )
        desktops.append(desktop)
    finally:
        del main_window.__dict__["_test_factory"]
    window = desktop.window
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Extra", "⚠ no_such_module", "Incidents"]
    assert added == [window]


def test_reception_panic_button_raises_a_silent_alarm_for_the_desk(
    qtbot: QtBot,
    db_url: str,
    services: Services,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
) -> None:
    # Gary is a receptionist AND a responder on the rota: even so, his own desk's alarm is silent.
    reception = _open(db_url, clock, "gholt", desktops, mode="reception", desk="Reception desk 1")
    tom = _open(db_url, clock, "twhitfield", desktops, mode="responder")
    panic = reception.window.panic_button
    assert panic is not None
    qtbot.waitUntil(lambda: reception.adapter._sub is not None and tom.adapter._sub is not None)

    panic.button.click()

    # Delivered off the GUI thread (a hung database never freezes the windows).
    qtbot.waitUntil(lambda: panic.alarm_id is not None, timeout=5000)
    qtbot.waitUntil(lambda: panic.alarm_id in tom.controller.windows, timeout=5000)
    assert tom.controller.windows[panic.alarm_id].room_label.text() == "Reception desk 1"
    qtbot.wait(500)
    assert not reception.controller.windows and not reception.controller.notices
    assert not reception.sound.is_playing
    assert panic.result.text().startswith("✔ Sent")

    tom.controller.respond(panic.alarm_id)
    qtbot.waitUntil(lambda: "Tom Whitfield coming" in panic.result.text(), timeout=5000)


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True
)
def test_not_connected_banner_shows_within_5_s_of_losing_the_database_and_clears_by_itself(
    qtbot: QtBot,
    db_url: str,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
) -> None:
    desktop = _open(db_url, clock, "twhitfield", desktops, mode="responder")
    window = desktop.window
    qtbot.waitUntil(lambda: desktop.adapter._sub is not None, timeout=5000)
    assert not window.banner.isVisible()
    name = make_url(db_url).database
    assert name

    with postgres.admin_connect() as admin:
        admin.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(sql.Identifier(name))
        )
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        lost = time.monotonic()
        qtbot.waitUntil(window.banner.isVisible, timeout=5000)
        shown_after = time.monotonic() - lost
        assert NOT_CONNECTED_TEXT in window.banner.title.text()
        assert window.header.connection.text() == "NOT CONNECTED"
        assert shown_after < 5.0
        print(f"NOT CONNECTED banner shown {shown_after:.2f} s after the database went away")

        admin.execute(
            sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(sql.Identifier(name))
        )
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=15000)
    assert window.header.connection.text() == "Connected"


def test_demo_signs_in_a_responder_on_duty_at_any_hour(
    qtbot: QtBot,
    db_url: str,
    office: SeededOffice,
    clock: FakeClock,
    desktops: list[DesktopApp],
) -> None:
    from datetime import UTC, datetime

    clock.set(datetime(2026, 11, 28, 23, 0, tzinfo=UTC))  # Saturday night: Gary Holt's shift
    config = Config(workstation=WorkstationConfig(name="DEMO-PC"))
    db = Database(db_url, pool_size=2, max_overflow=2)
    desktop = build_desktop(config, db, clock, demo=True, panel_factories=[])
    desktops.append(desktop)
    assert desktop.window.current_actor().login == "gholt"
