"""Whole-office walkthroughs: real SafeDesk main windows, as the people in the seeds use them.

``office_pcs`` seeds the demo office (offices, rooms, buttons, staff, rota, a few hundred people)
into a real database, once on a SQLite file and once on PostgreSQL, and opens PCs on it. Each PC
is a whole ``DesktopApp`` (services, bus adapter, alarm controller, every panel) with its own
connections, its window shown at 1366x768 as on a reception PC. Two PCs are two app instances on
one database, exactly as an office runs them; what one does reaches the other through the bus.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop.app import DesktopApp, build_desktop
from desktop.shell.main_window import PanelFactory
from safedesk.clock import FakeClock
from safedesk.config import Config, WorkstationConfig
from safedesk.db import Database
from safedesk.demo.seed import seed_demo
from safedesk.models import Office, Room
from safedesk.services.hub import Services

SCREEN_SIZE = (1366, 768)
PEOPLE = 300


@dataclass
class OfficePCs:
    """The PCs of one office on one database; ``open`` adds one, the fixture closes them all."""

    url: str
    clock: FakeClock
    qtbot: QtBot
    opened: list[DesktopApp] = field(default_factory=list)

    def open(
        self,
        login: str | None,
        *,
        mode: str = "reception",
        name: str = "",
        desk: str = "",
        office: str = "",
        config: Config | None = None,
        panel_factories: Sequence[PanelFactory] | None = None,
    ) -> DesktopApp:
        """Start SafeDesk on a new PC, signed in as ``login`` (None: nobody signed in yet)."""
        base = config or Config()
        workstation = WorkstationConfig(
            name=name or f"PC-{login or 'nobody'}-{len(self.opened) + 1}",
            office=office,
            mode=mode,
            desk=desk,
        )
        config = _with_workstation(base, workstation)
        db = Database(self.url, pool_size=2, max_overflow=2)
        app = build_desktop(
            config,
            db,
            self.clock,
            demo=False,
            sign_in_as=login,
            panel_factories=panel_factories,
        )
        self.opened.append(app)
        window = app.window
        window.resize(*SCREEN_SIZE)
        window.show()
        self.qtbot.waitExposed(window)
        return app

    def tab(self, app: DesktopApp, title: str) -> QWidget:
        """Bring the tab called ``title`` to the front, as a click on it would, and return it."""
        tabs = app.window.tabs
        for index in range(tabs.count()):
            if tabs.tabText(index) == title:
                tabs.setCurrentIndex(index)
                widget = tabs.widget(index)
                assert widget is not None
                return widget
        titles = [tabs.tabText(i) for i in range(tabs.count())]
        raise AssertionError(f"no tab {title!r} on this PC; it has {titles}")

    def room_id(self, room_name: str, office: str = "Derby Central Housing Office") -> int:
        db = Database(self.url)
        try:
            with db.session() as s:
                room = s.scalars(
                    select(Room).join(Office).where(Room.name == room_name, Office.name == office)
                ).one()
                return room.id
        finally:
            db.dispose()

    def press_button(self, room_name: str, office: str = "Derby Central Housing Office") -> int:
        """Someone in ``room_name`` presses its panic button (the room's simulated device).

        Goes through the press path of a separate connection, as a button's bridge would;
        returns the alarm id.
        """
        db = Database(self.url)
        services = Services.build(Config(), db, self.clock, "BUTTON-BRIDGE")
        try:
            receipt = services.alarms.press_room(self.room_id(room_name, office))
        finally:
            services.close()
            db.dispose()
        assert receipt.alarm_id and not receipt.is_test, receipt
        return receipt.alarm_id

    def close_all(self) -> None:
        for app in reversed(self.opened):
            app.shutdown()
            app.window.close_guard = None
            app.window.close()
            app.services.db.dispose()
            for qobject in (app.window, app.controller, app.adapter, app.sound):
                qobject.deleteLater()
        self.opened.clear()
        if QCoreApplication.instance() is not None:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _with_workstation(config: Config, workstation: WorkstationConfig) -> Config:
    from dataclasses import replace

    return replace(config, workstation=workstation)


@pytest.fixture
def office_pcs(qtbot: QtBot, db_url: str, clock: FakeClock) -> Iterator[OfficePCs]:
    """The demo office seeded into a migrated database (SQLite, then PostgreSQL), ready for PCs."""
    setup = Database(db_url)
    seed_demo(setup, PEOPLE, clock.now())
    setup.dispose()
    pcs = OfficePCs(db_url, clock, qtbot)
    yield pcs
    pcs.close_all()
