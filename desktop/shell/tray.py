"""The system tray icon: where a responder PC "sits" between alarms, and what it says about itself.

Optional by design: many sessions (offscreen, Xvfb, some kiosks) have no tray, and the alert must
still appear without one, so nothing on the alarm path depends on this module.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from desktop.alarm.sound import NO_SOUND_TEXT
from desktop.shell.connection_banner import INTERNAL_ERROR_TEXT, NOT_CONNECTED_TEXT
from desktop.shell.status_icons import StatusKind, status_icon
from safedesk.db.failures import is_internal_error_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrayState:
    connected: bool = True
    connection_detail: str = ""  # why not: the environment, or a bug (INTERNAL ERROR: ...)
    sound_problem: str | None = None
    open_alarms: int = 0
    nobody_on_rota: bool = False

    def kind(self) -> StatusKind:
        if self.open_alarms:
            return StatusKind.ALARM
        if not self.connected or self.nobody_on_rota:
            return StatusKind.WARNING
        if self.sound_problem:
            return StatusKind.NO_SOUND
        return StatusKind.OK

    def lines(self) -> list[str]:
        """What the tooltip says, worst first, in words."""
        lines = []
        if self.open_alarms:
            lines.append(f"PANIC ALARM: {self.open_alarms} open")
        if not self.connected:
            bug = is_internal_error_text(self.connection_detail)
            lines.append(INTERNAL_ERROR_TEXT if bug else NOT_CONNECTED_TEXT)
        if self.nobody_on_rota:
            lines.append("Nobody is on the responder rota now")
        if self.sound_problem:
            lines.append(f"{NO_SOUND_TEXT}: {self.sound_problem}")
        return lines or ["Connected: this PC will receive alarms"]


class SafeDeskTray(QObject):
    """Wraps QSystemTrayIcon when the desktop has a tray; otherwise does nothing, and says so once.

    Signals:
        show_requested: the person clicked the icon or chose "Show SafeDesk".
    """

    show_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = TrayState()
        self._icon: QSystemTrayIcon | None = None
        if not QSystemTrayIcon.isSystemTrayAvailable():
            log.info("no system tray on this desktop: alarms still open as windows")
            return
        self._icon = QSystemTrayIcon(status_icon(StatusKind.OK), self)
        menu = QMenu()
        menu.addAction("Show SafeDesk").triggered.connect(self.show_requested)
        self._menu = menu  # kept: the tray holds no reference of its own
        self._icon.setContextMenu(menu)
        self._icon.activated.connect(self._on_activated)
        self._icon.show()
        self._apply()

    @property
    def available(self) -> bool:
        return self._icon is not None

    def set_state(self, state: TrayState) -> None:
        previous, self.state = self.state, state
        self._apply()
        if self._icon is None:
            return
        if state.sound_problem and not previous.sound_problem:
            self._icon.showMessage(
                f"SafeDesk: {NO_SOUND_TEXT}",
                f"Alarms will show on screen but you will not hear them: {state.sound_problem}",
                QSystemTrayIcon.MessageIcon.Warning,
            )
        if not state.connected and previous.connected:
            self._icon.showMessage(
                "SafeDesk", NOT_CONNECTED_TEXT, QSystemTrayIcon.MessageIcon.Critical
            )

    def tooltip(self) -> str:
        return "SafeDesk\n" + "\n".join(self.state.lines())

    def _apply(self) -> None:
        if self._icon is None:
            return
        self._icon.setIcon(status_icon(self.state.kind()))
        self._icon.setToolTip(self.tooltip())

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()
