"""Rooms whose panic alarm stopped working with a visitor in them.

A flagged visitor (or a high-risk meeting) in a room whose panic button goes offline or fails
is reported to reception and the host (``room_alarm_problems``, ``host_alarm_problems``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import Visit
from safedesk.services.buttons.readiness import Readiness
from safedesk.services.reception.room_choice import ReadinessSource, RoomOption, room_options
from safedesk.services.reception.visit_view import (
    VisitView,
    needs_working_alarm,
    staff_names,
    view_of,
)
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

ALARM_FAILURES = frozenset({Readiness.OFFLINE, Readiness.FAILED, Readiness.NO_BUTTON})
"""Room states that mean the panic button cannot be relied on now (OVERDUE is untested, not
failed: it is shown in the room list, but does not interrupt a meeting)."""


@dataclass(frozen=True)
class RoomAlarmProblem:
    """A visitor who needs a working alarm is in a room whose button has gone offline or failed."""

    visit: VisitView
    room: RoomOption

    @property
    def key(self) -> tuple[int, int, str]:
        """Same visit, room and state: the same problem (told once per screen)."""
        return (self.visit.id, self.room.room_id, self.room.status.value)

    @property
    def headline(self) -> str:
        return f"PANIC ALARM NOT WORKING in {self.room.name}: {self.room.summary}"

    @property
    def who(self) -> str:
        what = "flagged file" if self.visit.flagged else "high-risk meeting"
        host = self.visit.host_name or "no host officer named"
        return f"{self.visit.visitor_name} ({what}) is in {self.room.name} with {host}."


def room_alarm_problems(
    session: Session,
    office_id: int,
    readiness: ReadinessSource,
    *,
    host_officer_id: int | None = None,
) -> list[RoomAlarmProblem]:
    """Flagged or high-risk visitors in the building whose room's alarm has stopped working."""
    query = select(Visit).where(
        Visit.office_id == office_id,
        Visit.arrived_at.is_not(None),
        Visit.left_at.is_(None),
        Visit.room_id.is_not(None),
    )
    if host_officer_id is not None:
        query = query.where(Visit.host_officer_id == host_officer_id)
    visits = session.scalars(query.order_by(Visit.arrived_at)).all()
    wanted = [v for v in visits if needs_working_alarm(v)]
    if not wanted:
        return []
    options = {o.room_id: o for o in room_options(session, office_id, readiness)}
    names = staff_names(session)
    problems = []
    for visit in wanted:
        room = options.get(visit.room_id) if visit.room_id is not None else None
        if room is not None and room.status in ALARM_FAILURES:
            problems.append(RoomAlarmProblem(view_of(session, visit, names), room))
    return problems


def host_alarm_problems(
    session: Session, staff_id: int, readiness: ReadinessSource
) -> list[RoomAlarmProblem]:
    """The same, for the visitors one officer is hosting, in whichever office they are."""
    offices = session.scalars(
        select(Visit.office_id)
        .where(
            Visit.host_officer_id == staff_id,
            Visit.arrived_at.is_not(None),
            Visit.left_at.is_(None),
            Visit.room_id.is_not(None),
        )
        .distinct()
    ).all()
    found: list[RoomAlarmProblem] = []
    for office_id in offices:
        found.extend(room_alarm_problems(session, office_id, readiness, host_officer_id=staff_id))
    return found


def record_alarm_problem_seen(
    session: Session, actor: Actor, now: datetime, problem: RoomAlarmProblem
) -> None:
    """Someone read "panic alarm not working" for a room with a flagged visitor in it."""
    audit.record(
        session,
        actor,
        "room_alarm_problem_seen",
        at=now,
        subject_type="visit",
        subject_id=problem.visit.id,
        room_id=problem.room.room_id,
        room=problem.room.name,
        room_status=problem.room.status.value,
        room_status_text=problem.room.summary,
        visitor_name=problem.visit.visitor_name,
    )
    session.flush()
