"""Giving a visit a room.

- A flagged visitor (or a high-risk meeting) gets a room whose alarm is not known to work only
  with a manager's override (the rule and the override are in room_choice).
- A room holds one visitor at a time: a room in use is refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from safedesk.models import Visit
from safedesk.services.reception.room_choice import (
    ManagerOverride,
    ReadinessSource,
    RoomOption,
    check_room,
    record_override,
    room_options,
)
from safedesk.services.reception.visit_view import VisitError, get_visit, needs_working_alarm
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor


class RoomInUse(VisitError):
    """The room already holds a visitor who has not left."""

    def __init__(self, room: RoomOption) -> None:
        super().__init__(
            f"{room.name} is in use: {room.in_use_by} is in it. Choose another room, or "
            f"record that {room.in_use_by} has left first."
        )
        self.room = room


def assign_room(
    session: Session,
    actor: Actor,
    now: datetime,
    visit_id: int,
    room_id: int | None,
    readiness: ReadinessSource,
    override: ManagerOverride | None = None,
    *,
    for_now: bool = True,
) -> RoomOption | None:
    """Give the visit a room, keeping the room rule for flagged visitors.

    ``for_now`` is false only for a meeting registered for later: a room in use now may be
    free by then (arrival checks it again).
    """
    visit = get_visit(session, visit_id)
    if room_id is None:
        visit.room_id = None
        session.flush()
        return None
    options = {o.room_id: o for o in room_options(session, visit.office_id, readiness)}
    room = options.get(room_id)
    if room is None:
        raise VisitError("That room is not an interview room of this office.")
    if for_now and room.in_use_visit_id not in (None, visit.id):
        raise RoomInUse(room)
    check_room(room, flagged=needs_working_alarm(visit), override=override)
    visit.room_id = room_id
    if override is not None and not room.alarm_ok:
        record_override(session, actor, now, visit, room, override)
    audit.record(
        session,
        actor,
        "visit_room_assigned",
        at=now,
        subject_type="visit",
        subject_id=visit.id,
        room_id=room_id,
        room_status=room.status.value,
    )
    session.flush()
    return room


def check_room_still_allowed(
    session: Session, visit: Visit, readiness: ReadinessSource
) -> RoomOption | None:
    """The visit's room if a flagged visitor may not use it now (no override on record)."""
    if (
        visit.room_id is None
        or not needs_working_alarm(visit)
        or visit.room_override_by_id is not None
    ):
        return None
    options = {o.room_id: o for o in room_options(session, visit.office_id, readiness)}
    room = options.get(visit.room_id)
    if room is not None and not room.alarm_ok:
        return room
    return None
