"""Shown while the database cannot be reached at start: says so plainly and keeps retrying."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.shell.database_words import database_place
from safedesk.db import Database, DatabaseUnavailable

log = logging.getLogger(__name__)


class ConnectWindow(QWidget):
    def __init__(self, db: Database, *, retry_s: float, on_connected: Callable[[], None]) -> None:
        super().__init__()
        self._db = db
        self._on_connected = on_connected
        self._attempts = 1
        self.setWindowTitle("SafeDesk: not connected")
        self.setMinimumSize(640, 240)
        self.setStyleSheet("background:#7a0000; color:white;")
        layout = QVBoxLayout(self)
        title = QLabel("⚠ NOT CONNECTED: this PC will not receive alarms")
        title.setStyleSheet("font-size:22pt; font-weight:bold;")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel(
            f"Cannot reach the SafeDesk database ({database_place(db.engine.url)}).\n"
            f"Retrying every {retry_s:g} seconds…"
        )
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(self.detail)
        self._timer = QTimer(self)
        self._timer.setInterval(int(retry_s * 1000))
        self._timer.timeout.connect(self._on_retry)
        self._timer.start()

    def _on_retry(self) -> None:
        self._attempts += 1
        try:
            self._db.ping()
        except DatabaseUnavailable as exc:
            log.warning("database still unreachable (attempt %d): %s", self._attempts, exc)
            self.detail.setText(
                f"Cannot reach the SafeDesk database ({database_place(self._db.engine.url)}).\n"
                f"Attempt {self._attempts} failed; retrying…"
            )
            return
        self._timer.stop()
        self.close()
        self._on_connected()
