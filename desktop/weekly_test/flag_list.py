"""A compact list of panic buttons that need attention (failed, overdue, offline), for the
responder screen and the reception side panel. Hidden when every button is fine.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.shell.status_icons import status_pixmap
from desktop.weekly_test.room_flags import RoomFlag


class ButtonFlagList(QFrame):
    """Connect ``WeeklyTestStatus.flags_changed`` to ``set_flags``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("buttonFlags")
        self.setStyleSheet(
            "#buttonFlags { background:#fff4f4; border:2px solid #c00000; border-radius:4px; }"
        )
        self.rows = QVBoxLayout(self)
        self.rows.setContentsMargins(8, 6, 8, 6)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight:bold; color:#7a0000; font-size:11pt;")
        self.rows.addWidget(self.title)
        self.lines: list[QWidget] = []
        self.hide()

    def set_flags(self, flags: dict[int, RoomFlag]) -> None:
        for line in self.lines:
            self.rows.removeWidget(line)
            line.hide()  # deleteLater waits for the event loop; it must vanish now
            line.deleteLater()
        self.lines = []
        if not flags:
            self.hide()
            return
        count = len(flags)
        self.title.setText(f"{count} room{'s' if count != 1 else ''} with a panic button problem")
        # One line per kind of problem ("Alarm test OVERDUE: Room 1, Room 2"), worst first, so
        # a Tuesday with every button overdue is one line, not a wall.
        groups: dict[str, list[RoomFlag]] = {}
        for flag in sorted(flags.values(), key=lambda f: (not f.is_serious, f.detail)):
            groups.setdefault(flag.text, []).append(flag)
        for text, members in groups.items():
            line = QWidget()
            row = QHBoxLayout(line)
            row.setContentsMargins(0, 0, 0, 0)
            icon = QLabel()
            icon.setPixmap(status_pixmap(members[0].kind, 18))
            rooms = ", ".join(f.detail.split(":", 1)[0] for f in members)
            label = QLabel(f"<b>{html.escape(text)}</b>: {html.escape(rooms)}")
            label.setWordWrap(True)
            label.setToolTip("\n".join(f.detail for f in members))
            row.addWidget(icon)
            row.addWidget(label, 1)
            self.rows.addWidget(line)
            self.lines.append(line)
        self.show()
