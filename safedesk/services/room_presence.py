"""Who is in a room now: today's visits that arrived there and have not left.

The alarm records it when raised, so the incident shows who was there even after they leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import Office, Room, Visit
from safedesk.services.office_time import local_date, local_midnight_utc


def visits_in_room_now(session: Session, room: Room, now: datetime) -> Sequence[Visit]:
    """Visits in ``room`` that arrived today (office time) by ``now`` and have not left; latest first."""
    office = session.get(Office, room.office_id)
    zone = office.time_zone if office is not None else "Europe/London"
    day_start = local_midnight_utc(local_date(now, zone), zone)
    return session.scalars(
        select(Visit)
        .where(
            Visit.room_id == room.id,
            Visit.arrived_at >= day_start,
            Visit.arrived_at <= now,
            Visit.left_at.is_(None),
        )
        .order_by(Visit.arrived_at.desc(), Visit.id.desc())
    ).all()
