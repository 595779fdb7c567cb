"""Plugs the movements diary into the main window (listed in desktop.panels.PANELS).

Every PC gets the Movements tab (today's board, the records) and this PC's OVERDUE alerts, with
their own window and sound; signing in on any PC reports back from a visit. In the demo, an
officer is out when the demo starts and another becomes overdue a few minutes later.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QTabWidget, QWidget

from desktop.alarm.sound import AlarmSound
from desktop.movements.board import MovementsBoard
from desktop.movements.movements_adapter import MovementsAdapter
from desktop.movements.overdue_controller import OverdueController
from desktop.movements.records_view import RecordsPage
from safedesk import paths
from safedesk.db import DatabaseUnavailable
from safedesk.demo.movements import seed_demo_movements
from safedesk.services.movements.desk import MovementsDesk
from safedesk.services.staff.sign_in import SignedIn

if TYPE_CHECKING:
    from desktop.shell.main_window import MainWindow

log = logging.getLogger(__name__)


def overdue_sound_path() -> Path:
    return paths.resources_dir() / "sounds" / "overdue.wav"


class MovementsPanel(QTabWidget):
    """The Movements tab: "Today" (the board) and "Records"."""

    def __init__(
        self,
        window: MainWindow,
        desk: MovementsDesk,
        adapter: MovementsAdapter,
        controller: OverdueController,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.window_ = window
        self.desk = desk
        self.adapter = adapter
        self.controller = controller
        self.board = MovementsBoard(desk, window.office_id, window.current_actor, window.clock)
        self.records = RecordsPage(desk, window.office_id, window.current_actor)
        self.addTab(self.board, "Today")
        self.addTab(self.records, "Records")
        adapter.board_changed.connect(self.board.set_rows)
        adapter.problem.connect(self._on_problem)
        window.user_changed.connect(self._on_user_changed)

    def _on_problem(self, text: str) -> None:
        self.board.problem.setText(text)

    def _on_user_changed(self, user: object) -> None:
        """Signing in on an office PC is reporting back (seed 000)."""
        self.adapter.refresh()
        if not isinstance(user, SignedIn):
            return
        try:
            back = self.desk.back_on_sign_in(user.actor)
        except DatabaseUnavailable as exc:
            log.warning("could not record %s's check-in: %s", user.login, exc)
            return
        if back is not None:
            self.window_.statusBar().showMessage(
                f"Welcome back, {user.name}: the diary says you are back in the office.", 20_000
            )


def add_movements_panel(window: MainWindow) -> None:
    services = window.services
    desk = MovementsDesk(
        window.db, services.bus, window.clock, window.config, window.place.workstation
    )
    if window.demo:
        try:
            seed_demo_movements(desk, window.office_id)
        except DatabaseUnavailable as exc:
            log.warning("demo diary entries not added: %s", exc)
    adapter = MovementsAdapter(desk, window.office_id, window.current_actor, parent=window)
    sound = AlarmSound(overdue_sound_path(), parent=window)
    controller = OverdueController(
        desk, adapter, sound, window.clock, window.current_actor, parent=window
    )
    panel = MovementsPanel(window, desk, adapter, controller)
    window.add_panel(panel, "Movements")
    windows, notices = controller.windows, controller.notices

    def shut_down(*_args: object) -> None:
        # The alerts are top-level windows: they go when this PC's SafeDesk goes.
        adapter.stop()
        for alert in list(windows.values()):
            alert.dismiss()
        for notice in list(notices.values()):
            notice.close()
            notice.deleteLater()
        windows.clear()
        notices.clear()

    window.destroyed.connect(shut_down)
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(shut_down)
    adapter.start()
