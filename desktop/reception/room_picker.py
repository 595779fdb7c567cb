"""Room choice with each panic button's state written beside the room (not colour alone)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from desktop.shell.status_icons import StatusKind, status_icon
from safedesk.services.reception.room_choice import RoomOption


def room_text(option: RoomOption, flagged: bool) -> str:
    state = "alarm OK" if option.alarm_ok else option.summary
    text = f"{option.name} — {state}"
    if option.in_use_by:
        text += f" — in use ({option.in_use_by})"
    if flagged and not option.alarm_ok:
        text += " — NEEDS MANAGER OVERRIDE"
    return text


class RoomPicker(QComboBox):
    """Interview rooms; rooms whose alarm is not known to work are marked with a warning icon."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.options: list[RoomOption] = []
        self.setMinimumWidth(420)

    def set_options(self, options: list[RoomOption], flagged: bool) -> None:
        current = self.current_room()
        self.options = list(options)
        self.clear()
        self.addItem("No room yet", None)
        for option in self.options:
            icon = status_icon(StatusKind.OK if option.alarm_ok else StatusKind.WARNING)
            self.addItem(icon, room_text(option, flagged), option.room_id)
        if current is not None:
            index = self.findData(current.room_id)
            if index >= 0:
                self.setCurrentIndex(index)
        elif flagged:
            ready = next((o for o in self.options if o.alarm_ok and not o.in_use_by), None)
            if ready is not None:
                self.setCurrentIndex(self.findData(ready.room_id))

    def current_room(self) -> RoomOption | None:
        room_id = self.currentData()
        return next((o for o in self.options if o.room_id == room_id), None)
