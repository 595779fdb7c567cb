"""Which devices the demo's simulated buttons stand in for (all of the demo office's buttons)."""

from __future__ import annotations

from sqlalchemy import select

from safedesk.db import Database
from safedesk.models import PanicDevice, Room


def demo_device_rooms(db: Database) -> dict[str, str]:
    """device id -> room name, for every enabled device in a room."""
    with db.session() as s:
        rows = s.execute(
            select(PanicDevice.device_id, Room.name)
            .join(Room, PanicDevice.room_id == Room.id)
            .where(PanicDevice.enabled.is_(True))
            .order_by(PanicDevice.device_id)
        ).all()
    return {device_id: room for device_id, room in rows}
