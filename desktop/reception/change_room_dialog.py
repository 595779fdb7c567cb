"""Move a visitor to another interview room: when theirs is wanted, or its alarm stopped working.

The same room rule as booking in: a flagged visitor (or a high-risk meeting) goes to a room
whose panic alarm is known to work, or a manager signs an override; a room in use is refused.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.reception.focus_style import FOCUS_STYLE
from desktop.reception.override_dialog import ManagerOverrideDialog
from desktop.reception.rich_text import plain
from desktop.reception.room_picker import RoomPicker
from safedesk.db import DatabaseUnavailable
from safedesk.services.reception.desk import ReceptionDesk
from safedesk.services.reception.room_choice import ManagerOverride, RoomNeedsOverride
from safedesk.services.reception.visit_view import VisitError, VisitView
from safedesk.services.shared.actor import Actor


class ChangeRoomDialog(QDialog):
    def __init__(
        self,
        desk: ReceptionDesk,
        actor: Callable[[], Actor],
        visit: VisitView,
        parent: QWidget | None = None,
        *,
        reason: str = "",
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.actor = actor
        self.visit = visit
        self.setWindowTitle("Change room")
        self.setStyleSheet(FOCUS_STYLE)
        layout = QVBoxLayout(self)
        heading = QLabel(
            f"<b>{plain(visit.visitor_name)}</b> is in "
            f"<b>{plain(visit.room_name or 'no room yet')}</b>."
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        if reason:
            why = QLabel(plain(reason))
            why.setWordWrap(True)
            why.setStyleSheet("font-size:12pt; font-weight:bold")
            layout.addWidget(why)
        form = QFormLayout()
        self.rooms = RoomPicker()
        self.rooms.set_options(desk.room_options(visit.office_id), visit.needs_working_alarm)
        if visit.room_id is not None:  # otherwise the picker offers a room whose alarm works
            index = self.rooms.findData(visit.room_id)
            if index >= 0:
                self.rooms.setCurrentIndex(index)
        form.addRow("&Interview room", self.rooms)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color:#b00000; font-weight:bold")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Move to this room (Enter)")
        buttons.accepted.connect(self._on_ok)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.rooms.setFocus()

    def _on_ok(self) -> None:
        room = self.rooms.current_room()
        if room is None and self.visit.needs_working_alarm:
            self.problem.setText("Choose a room whose panic alarm works for this visitor.")
            return
        override: ManagerOverride | None = None
        for _attempt in range(2):
            try:
                self.desk.assign_room(
                    self.actor(), self.visit.id, room.room_id if room else None, override
                )
            except RoomNeedsOverride as exc:
                dialog = ManagerOverrideDialog(exc.room, self.desk.authorise_override, self)
                if dialog.exec() != QDialog.DialogCode.Accepted or dialog.override is None:
                    self.problem.setText("Choose a room whose panic alarm works, or ask a manager.")
                    return
                override = dialog.override
                continue
            except (VisitError, DatabaseUnavailable) as exc:
                self.problem.setText(str(exc))
                return
            self.accept()
            return
