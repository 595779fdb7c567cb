"""How a button's readiness is flagged on the reception room list and the responder screen.

One mapping from the core's ``Readiness`` to an icon kind and words, so every screen says the
same thing ("Panic button OFFLINE", "Last weekly test FAILED (no signal)") the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.shell.status_icons import StatusKind
from safedesk.services.buttons.readiness import OfficeReadiness, Readiness, RoomReadiness

# Colours for text and cell backgrounds (with an icon and words beside them, never alone).
READINESS_COLOURS: dict[Readiness, str] = {
    Readiness.OK: "#1b7f3b",
    Readiness.DUE: "#1f4e9c",
    Readiness.OVERDUE: "#b35c00",
    Readiness.FAILED: "#c00000",
    Readiness.OFFLINE: "#c00000",
    Readiness.NO_BUTTON: "#c00000",
}


@dataclass(frozen=True)
class RoomFlag:
    kind: StatusKind
    text: str  # short, for a list cell: "Alarm test FAILED"
    detail: str  # tooltip: which button and why

    @property
    def is_serious(self) -> bool:
        """The button may not work: reception should think twice about this room."""
        return self.kind is StatusKind.ALARM


_SHORT = {
    Readiness.OFFLINE: "Panic button OFFLINE",
    Readiness.FAILED: "Alarm test FAILED",
    Readiness.OVERDUE: "Alarm test OVERDUE",
    Readiness.NO_BUTTON: "No panic button",
}


def room_flag(room: RoomReadiness) -> RoomFlag | None:
    """The flag for a room, or None when its buttons are fine (or only due, early in the week)."""
    if not room.status.is_flagged:
        return None
    kind = StatusKind.WARNING if room.status is Readiness.OVERDUE else StatusKind.ALARM
    lines = [f"{room.room_name}: {room.summary}"]
    for device in room.devices:
        lines.append(f"  {device.label or device.device_id}: {device.summary}")
    return RoomFlag(kind=kind, text=_SHORT[room.status], detail="\n".join(lines))


def room_flags(readiness: OfficeReadiness) -> dict[int, RoomFlag]:
    """Room id -> flag, for every flagged room in the office."""
    flags = {}
    for room in readiness.rooms:
        flag = room_flag(room)
        if flag is not None:
            flags[room.room_id] = flag
    return flags
