"""The header's line for a bug: an exception that escaped a Qt slot or a worker thread.

Bugs are loud. ``safedesk.log_file`` writes each escaped exception to the log with its traceback;
this strip says on screen that it happened, so staff tell IT rather than trust a screen that may
be wrong. It says only what is known: that something failed, what, how often, and where the log
is. Its Hide button never takes focus, so a key typed elsewhere cannot dismiss it.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from safedesk.log_file import add_bug_listener, remove_bug_listener


class InternalErrorStrip(QFrame):
    """ "INTERNAL ERROR in SafeDesk: ValueError: ... (2 times, last 10:04). Details: <log>"."""

    bug_seen = Signal(str)  # emitted from any thread; shown on the GUI thread (queued)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("internalErrorStrip")
        self.setStyleSheet(
            "#internalErrorStrip { background:#5c0000; border-bottom:2px solid #ff4d4d; }"
            " #internalErrorStrip QLabel { color:white; font-size:11pt; font-weight:bold; }"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 4, 8, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.label, 1)
        self.hide_button = QPushButton("Hide")
        self.hide_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.hide_button.clicked.connect(self.hide)
        row.addWidget(self.hide_button)
        self.count = 0
        self.last: str | None = None
        self._log_file: Path | None = None
        self.bug_seen.connect(self._on_bug, Qt.ConnectionType.QueuedConnection)
        self.destroyed.connect(lambda *_: remove_bug_listener(self.bug_seen.emit))
        self.hide()

    def listen(self, log_file: Path | None) -> None:
        """Show every exception the excepthooks see from now on (``log_file``: where it is)."""
        self._log_file = log_file
        add_bug_listener(self.bug_seen.emit)

    def stop_listening(self) -> None:
        remove_bug_listener(self.bug_seen.emit)

    def _on_bug(self, line: str) -> None:
        self.count += 1
        self.last = line
        times = "" if self.count == 1 else f" ({self.count} times, last {datetime.now():%H:%M})"
        where = f" Details are in the log: {self._log_file}." if self._log_file else ""
        self.label.setText(
            f"INTERNAL ERROR in SafeDesk (a fault in the program): {line}{times}."
            f"{where} Tell IT support; until it is fixed this screen may not show everything."
        )
        self.setToolTip(html.escape(line))
        self.show()
