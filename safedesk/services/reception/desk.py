"""ReceptionDesk: everything the reception and host-officer screens ask of the core.

Widgets never open database sessions; they call this object, which opens one transaction per
call with the clock and the search index it was given. It is Qt-free, so the whole reception
procedure can be tested without a window.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import Office
from safedesk.services.reception import (
    alarm_problems,
    arrival,
    booking,
    day_list,
    host_officer,
    meetings,
    room_assignment,
    visit_view,
    visit_warnings,
)
from safedesk.services.reception.alarm_problems import RoomAlarmProblem
from safedesk.services.reception.booking import BookingRequest, WalkIn
from safedesk.services.reception.host_officer import HostNotice
from safedesk.services.reception.person_search import PersonSearch, RefreshReport, Shortlist
from safedesk.services.reception.room_choice import (
    ManagerOverride,
    ReadinessSource,
    RoomOption,
    authorise_override,
    readiness_from_buttons,
    room_options,
)
from safedesk.services.reception.visit_view import VisitView
from safedesk.services.reception.visit_warnings import WarnedPerson
from safedesk.services.shared.actor import Actor


class HostNotices:
    """What an officer's PC needs for "Your visitor has arrived" and "the alarm in your
    visitor's room is not working": no search index required."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        readiness: ReadinessSource | None = None,
        config: Config | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.readiness = readiness or readiness_from_buttons(clock, config or Config())

    def host_notices(self, staff_id: int) -> list[HostNotice]:
        with self.db.session() as s:
            return host_officer.host_notices(s, staff_id)

    def host_alarm_problems(self, staff_id: int) -> list[RoomAlarmProblem]:
        with self.db.session() as s:
            return alarm_problems.host_alarm_problems(s, staff_id, self.readiness)

    def record_alarm_problem_seen(self, actor: Actor, problem: RoomAlarmProblem) -> None:
        with self.db.session() as s:
            alarm_problems.record_alarm_problem_seen(s, actor, self.clock.now(), problem)

    def mark_notice_seen(self, actor: Actor, visit_id: int) -> None:
        with self.db.session() as s:
            host_officer.mark_notice_seen(s, actor, self.clock.now(), visit_id)


class ReceptionDesk(HostNotices):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        search: PersonSearch,
        *,
        readiness: ReadinessSource | None = None,
        config: Config | None = None,
    ) -> None:
        super().__init__(db, clock, readiness=readiness, config=config)
        self.search = search

    # reading
    def office_name(self, office_id: int) -> str:
        with self.db.session() as s:
            office = s.get(Office, office_id)
            return office.name if office else "?"

    def shortlist(self, query: str, limit: int = 20) -> Shortlist:
        return self.search.shortlist(query, limit)

    def todays_visits(self, office_id: int) -> list[VisitView]:
        with self.db.session() as s:
            return day_list.todays_visits(s, office_id, self.clock.now())

    def visit(self, visit_id: int) -> VisitView:
        with self.db.session() as s:
            return visit_view.view_visit(s, visit_id)

    def room_options(self, office_id: int) -> list[RoomOption]:
        with self.db.session() as s:
            return room_options(s, office_id, self.readiness)

    def room_alarm_problems(self, office_id: int) -> list[RoomAlarmProblem]:
        """Flagged visitors in a room whose panic button has gone offline or failed."""
        with self.db.session() as s:
            return alarm_problems.room_alarm_problems(s, office_id, self.readiness)

    def host_officers(self, office_id: int) -> list[tuple[int, str]]:
        with self.db.session() as s:
            return host_officer.host_officers(s, office_id)

    # keeping current
    def refresh_search(self) -> RefreshReport:
        return self.search.refresh()

    def recheck_open_visits(self, office_id: int) -> list[VisitView]:
        """Re-match today's visitors; those with a new warning come back."""
        with self.db.session() as s:
            return visit_warnings.recheck_open_visits(s, office_id, self.search, self.clock.now())

    # acting
    def book_in(self, actor: Actor, request: BookingRequest) -> VisitView:
        with self.db.session() as s:
            return booking.book_in(s, actor, self.clock.now(), self.search, self.readiness, request)

    def acknowledge(self, actor: Actor, visit_id: int, warning_ids: Collection[int]) -> None:
        with self.db.session() as s:
            visit_warnings.acknowledge_warnings(s, actor, self.clock.now(), visit_id, warning_ids)

    def dismiss(self, actor: Actor, warning_id: int, reason: str) -> None:
        with self.db.session() as s:
            visit_warnings.dismiss_candidate(s, actor, self.clock.now(), warning_id, reason)

    def record_stopped(
        self,
        actor: Actor,
        *,
        office_id: int,
        warned: Collection[WarnedPerson],
        visit_id: int | None = None,
        typed_query: str = "",
        stage: str = "stopped at the warning",
    ) -> None:
        """A booking stopped after a flag warning: audited, the person came to the desk."""
        with self.db.session() as s:
            visit_warnings.record_stopped_after_warning(
                s,
                actor,
                self.clock.now(),
                office_id=office_id,
                warned=warned,
                visit_id=visit_id,
                typed_query=typed_query,
                stage=stage,
            )

    def authorise_override(self, login: str, password: str, reason: str) -> ManagerOverride:
        with self.db.session() as s:
            return authorise_override(s, login, password, reason)

    def assign_room(
        self,
        actor: Actor,
        visit_id: int,
        room_id: int | None,
        override: ManagerOverride | None = None,
    ) -> None:
        with self.db.session() as s:
            room_assignment.assign_room(
                s, actor, self.clock.now(), visit_id, room_id, self.readiness, override
            )

    def register_meeting(
        self,
        actor: Actor,
        *,
        office_id: int,
        host_officer_id: int,
        expected_at: datetime,
        person_id: int | None = None,
        walk_in: WalkIn | None = None,
        room_id: int | None = None,
        purpose: str | None = None,
        high_risk: bool = False,
        risk_notes: str | None = None,
        override: ManagerOverride | None = None,
    ) -> VisitView:
        """A meeting booked in advance (seed 004: reception told beforehand if high-risk)."""
        with self.db.session() as s:
            visit = meetings.register_meeting(
                s,
                actor,
                self.clock.now(),
                self.search,
                office_id=office_id,
                host_officer_id=host_officer_id,
                expected_at=expected_at,
                person_id=person_id,
                walk_in=walk_in,
                room_id=room_id,
                purpose=purpose,
                high_risk=high_risk,
                risk_notes=risk_notes,
                readiness=self.readiness,
                override=override,
            )
            return visit_view.view_visit(s, visit.id)

    def mark_arrived(self, actor: Actor, visit_id: int) -> VisitView:
        with self.db.session() as s:
            return arrival.mark_arrived(
                s, actor, self.clock.now(), visit_id, self.search, self.readiness
            )

    def mark_left(self, actor: Actor, visit_id: int) -> None:
        with self.db.session() as s:
            arrival.mark_left(s, actor, self.clock.now(), visit_id)
