"""The smaller, non-modal notice: an alarm for staff not on duty, a weekly test press, a resolution.

It sits in the top-right corner above other windows without taking the keyboard, so nobody
loses what they were typing, but nobody can miss it either.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.alarm.deliberate_input import mouse_only
from desktop.shell.status_icons import StatusKind, status_pixmap

_STYLES = {
    StatusKind.ALARM: ("#b00000", "white"),
    StatusKind.TEST: ("#1f4e9c", "white"),
    StatusKind.OK: ("#1b5e20", "white"),
    StatusKind.WARNING: ("#ffd23f", "black"),
}


class AlarmNotice(QWidget):
    """A titled message with an icon; optional "Show details" and an auto-close for tests.

    Signals:
        details_requested: the person wants the full alert.
    """

    details_requested = Signal()

    def __init__(
        self,
        kind: StatusKind,
        title: str,
        body: str,
        *,
        details: bool = False,
        auto_close_s: float | None = None,
        delete_on_close: bool = False,
    ) -> None:
        flags = (
            Qt.WindowType.Tool
            | Qt.WindowType.WindowStaysOnTopHint
            | Qt.WindowType.FramelessWindowHint
            | Qt.WindowType.WindowDoesNotAcceptFocus
        )
        super().__init__(None, flags)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # Fire-and-forget notices delete themselves; alarm notices are deleted by the controller.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, delete_on_close)
        self.setObjectName("alarmNotice")
        bg, fg = _STYLES.get(kind, _STYLES[StatusKind.WARNING])
        self.setStyleSheet(
            f"#alarmNotice {{ background: {bg}; border: 3px solid black; }}"
            f"QLabel {{ color: {fg}; background: transparent; }}"
            "#noticeTitle { font-size: 16pt; font-weight: bold; }"
            "#noticeBody { font-size: 12pt; }"
            "QPushButton { font-size: 12pt; font-weight: bold; background: white; color: black;"
            " border: 2px solid black; border-radius: 4px; padding: 4px 14px; }"
        )
        self.setFixedWidth(460)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        icon = QLabel()
        icon.setPixmap(status_pixmap(kind, 48))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(icon)
        column = QVBoxLayout()
        self.title = QLabel(title)
        self.title.setObjectName("noticeTitle")
        self.title.setWordWrap(True)
        self.body = QLabel(body)
        self.body.setObjectName("noticeBody")
        self.body.setWordWrap(True)
        column.addWidget(self.title)
        column.addWidget(self.body)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        # Mouse only: a key typed into another window cannot press them (the Alarms tab's
        # "Show alert" is the keyboard's way to the full alert).
        if details:
            show = mouse_only(QPushButton("Show details"))
            show.setObjectName("noticeDetails")
            show.clicked.connect(self.details_requested)
            buttons.addWidget(show)
        ok = mouse_only(QPushButton("OK"))
        ok.setObjectName("noticeOk")
        ok.clicked.connect(self.close if delete_on_close else self.hide)
        buttons.addWidget(ok)
        column.addLayout(buttons)
        layout.addLayout(column, 1)
        if auto_close_s is not None:
            self._auto_close = QTimer(self)
            self._auto_close.setSingleShot(True)
            self._auto_close.timeout.connect(self.close)
            self._auto_close.start(int(auto_close_s * 1000))

    def set_text(self, title: str, body: str) -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.adjustSize()

    def show_in_corner(self, stack_index: int = 0) -> None:
        self.adjustSize()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            y = area.top() + 16 + stack_index * (self.height() + 10)
            self.move(area.right() - self.width() - 16, y)
        self.show()
        self.raise_()
