"""The NOT CONNECTED banner: covers the window while this PC cannot reach the alarm bus.

A PC that is off the bus will not receive alarms; the person at it must know that at a glance,
so the banner covers everything else (nothing on the window works without the database anyway)
and goes away by itself when the connection comes back.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.shell.status_icons import StatusKind, status_pixmap
from safedesk.db.failures import is_internal_error_text

NOT_CONNECTED_TEXT = "NOT CONNECTED: this PC will not receive alarms"
INTERNAL_ERROR_TEXT = "INTERNAL ERROR: this PC will not receive alarms (see the log)"


class ConnectionBanner(QWidget):
    """An overlay on ``parent`` (resized with it); hidden while connected."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(
            "#connectionBanner { background: rgba(110, 0, 0, 235); }"
            "QLabel { color: white; background: transparent; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 40)
        layout.addStretch(1)
        icon = QLabel()
        icon.setPixmap(status_pixmap(StatusKind.WARNING, 96))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(icon)
        self.title = QLabel(NOT_CONNECTED_TEXT)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-size: 26pt; font-weight: bold;")
        layout.addWidget(self.title)
        self.detail = QLabel()
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("font-size: 14pt;")
        layout.addWidget(self.detail)
        advice = QLabel(
            "If you need help now, do not rely on SafeDesk: shout, phone a colleague, or call 999.\n"
            "Tell IT or your manager. This message clears by itself when the connection is back."
        )
        advice.setAlignment(Qt.AlignmentFlag.AlignCenter)
        advice.setWordWrap(True)
        advice.setStyleSheet("font-size: 13pt;")
        layout.addWidget(advice)
        layout.addStretch(1)
        parent.installEventFilter(self)
        self.hide()

    def show_disconnected(self, since: datetime, detail: str) -> None:
        local = since.astimezone().strftime("%H:%M:%S")
        if is_internal_error_text(detail):
            # A bug, not an outage: "no contact with the database" would send IT the wrong way.
            self.title.setText(INTERNAL_ERROR_TEXT)
            self.detail.setText(f"SafeDesk has had an internal error since {local}.\n{detail}")
        else:
            self.title.setText(NOT_CONNECTED_TEXT)
            self.detail.setText(f"No contact with the SafeDesk database since {local}.\n{detail}")
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()

    def show_connected(self) -> None:
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if watched is parent and event.type() == QEvent.Type.Resize and parent is not None:
            self.setGeometry(parent.rect())
        return False
