"""The "Alarms" tab: the desk's panic button, the open alarms, and (demo) the simulated buttons.

The desk's button and hotkey are made, and its own alarm made silent here, where the app is put
together (``desktop.app``), before this tab loads; the tab only shows them.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.alarm.alert_window import elapsed_text, local_time
from desktop.alarm.controller import AlarmController
from desktop.alarm.panic_button import DemoButtons, qt_key_sequence

if TYPE_CHECKING:
    from desktop.shell.main_window import MainWindow

log = logging.getLogger(__name__)


class OpenAlarmsList(QWidget):
    """Every open alarm in the office, with a way back to its full alert."""

    def __init__(self, controller: AlarmController, window: MainWindow) -> None:
        super().__init__()
        self.controller = controller
        self._window = window
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        controller.open_alarms_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        # The desk's own alarm is not listed here: the person at it may be facing the aggressor.
        views = [
            v for v in self.controller.open_views.values() if not self.controller.is_silent_here(v)
        ]
        if not views:
            self._layout.addWidget(QLabel("✔ No open alarms in this office."))
            return
        now = self._window.clock.now()
        for view in views:
            row = QWidget()
            line = QHBoxLayout(row)
            going = ", ".join(r.name for r in view.responders) or "nobody yet"
            text = QLabel(
                f"<b>⚠ {view.room_name}</b> — raised {local_time(view.raised_at)} "
                f"({elapsed_text(view.elapsed_s(now))} ago) — responding: {going}"
            )
            line.addWidget(text, 1)
            show = QPushButton("Show alert")
            show.clicked.connect(lambda _=False, a=view.alarm_id: self._show(a))
            line.addWidget(show)
            self._layout.addWidget(row)

    def _show(self, alarm_id: int) -> None:
        view = self.controller.open_views.get(alarm_id)
        if view is not None:
            self.controller.hidden.discard(alarm_id)
            self.controller.silenced.add(alarm_id)  # looked at on purpose: no need to sound
            self.controller._show_full(view)


def add_alarms_panel(window: MainWindow) -> None:
    controller = window.alarm_controller
    if controller is None:
        return
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(16, 12, 16, 12)
    place = window.place
    panic = window.panic_button
    panic_at = 0
    if panic is not None:
        heading = QLabel(f"<h3>Panic button for {panic.desk.name}</h3>")
        layout.addWidget(heading)
        panic_at = layout.count()
        hotkey = window.desk_hotkey
        if hotkey is not None:
            where = (
                "anywhere on this PC"
                if hotkey.global_source is not None
                else "while SafeDesk is open"
            )
            keys = html.escape(qt_key_sequence(hotkey.hotkey))
            layout.addWidget(QLabel(f"Hotkey: <b>{keys}</b> ({where}), silent on this PC."))
    elif place.mode == "reception":
        layout.addWidget(
            QLabel(
                "⚠ No reception desk is set for this PC (workstation.desk in the configuration): "
                "the on-screen panic button is off."
            )
        )
    layout.addWidget(QLabel("<h3>Open alarms</h3>"))
    layout.addWidget(OpenAlarmsList(controller, window))
    if window.demo:
        layout.addWidget(QLabel("<h3>Simulated panic buttons</h3>"))
        layout.addWidget(
            DemoButtons(
                window.services.presses or window.services.alarms,  # as the desk's own press
                place.rooms,
                window.current_actor,
                clock=window.clock,
                desk_room_id=controller.silent_room_id,
            )
        )
    layout.addStretch(1)
    if panic is not None:
        # Put on the page last: a page that fails half-built is deleted with what is on it, and
        # the desk's button (which the in-app hotkey presses) must outlive a broken tab.
        layout.insertWidget(panic_at, panic)
    window.add_panel(page, "Alarms")
