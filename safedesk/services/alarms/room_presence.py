"""Who is in a room now: today's visits that arrived there and have not left.

The alarm records it when raised, so the incident shows who was there even after they leave.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ScalarSelect, select
from sqlalchemy.orm import Session

from safedesk.models import Office, Room, Visit
from safedesk.services.shared.office_time import local_date, local_midnight_utc


def room_time_zone(room: Room | None) -> str:
    """The room's office time zone (London when unknown: SafeDesk serves UK offices)."""
    office = room.office if room is not None else None
    return office.time_zone if office is not None else "Europe/London"


def latest_visit_in_room(room_id: int, time_zone: str, now: datetime) -> ScalarSelect[int | None]:
    """The latest visit in the room now, as a subquery (the press reads it in its one probe)."""
    day_start = local_midnight_utc(local_date(now, time_zone), time_zone)
    return (
        select(Visit.id)
        .where(
            Visit.room_id == room_id,
            Visit.arrived_at >= day_start,
            Visit.arrived_at <= now,
            Visit.left_at.is_(None),
        )
        .order_by(Visit.arrived_at.desc(), Visit.id.desc())
        .limit(1)
        .scalar_subquery()
    )


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


def waiting_in_reception(
    session: Session, desk: Room, now: datetime, limit: int = 4
) -> Sequence[Visit]:
    """Today's visitors of the desk's office who have arrived but are in no room yet: whoever is at
    the counter when a desk alarm goes off is likely among them. Latest arrivals first."""
    office = session.get(Office, desk.office_id)
    zone = office.time_zone if office is not None else "Europe/London"
    day_start = local_midnight_utc(local_date(now, zone), zone)
    return session.scalars(
        select(Visit)
        .where(
            Visit.office_id == desk.office_id,
            Visit.room_id.is_(None),
            Visit.arrived_at >= day_start,
            Visit.arrived_at <= now,
            Visit.left_at.is_(None),
        )
        .order_by(Visit.arrived_at.desc(), Visit.id.desc())
        .limit(limit)
    ).all()
