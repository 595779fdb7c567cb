"""The marker window's one door into the core: every call opens its own transaction.

Widgets hold a MarkerDesk and an ``actor()`` callable; they never open database sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, or_, select

from safedesk.clock import Clock
from safedesk.config import MarkersConfig
from safedesk.db import Database
from safedesk.models import (
    AlarmEvent,
    AppealOutcome,
    Marker,
    MarkerAppeal,
    MarkerCategory,
    Person,
    Role,
    Room,
    Staff,
    Visit,
)
from safedesk.services.markers import appeals as marker_appeals
from safedesk.services.markers import incident_markers
from safedesk.services.markers import placing as markers
from safedesk.services.markers import review as marker_review
from safedesk.services.markers.appeals import OUTCOME_SHORT
from safedesk.services.markers.letter_pdf import render_pdf
from safedesk.services.markers.letters import FollowUpDetails, follow_up_letter, notification_letter
from safedesk.services.markers.restricted_register import (
    RegisterEntry,
    RestrictedDetail,
    ViewRecord,
    register_entries,
    view_restricted,
    views_report,
)
from safedesk.services.markers.review_dates import review_due_from, uk_date
from safedesk.services.markers.roles import ROLE_TITLES, may_assess
from safedesk.services.shared.acting_staff import acting_staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import NotFound, PermissionRefused


@dataclass(frozen=True)
class PersonChoice:
    person_id: int
    name: str
    date_of_birth: date | None
    postcode: str | None
    tenancy_ref: str | None

    @property
    def label(self) -> str:
        dob = f"{self.date_of_birth:%d/%m/%Y}" if self.date_of_birth else "DOB unknown"
        return f"{self.name}  ·  {dob}  ·  {self.postcode or 'no postcode'}  ·  {self.tenancy_ref or 'no tenancy'}"


@dataclass(frozen=True)
class StaffChoice:
    staff_id: int
    name: str
    title: str


@dataclass(frozen=True)
class IncidentChoice:
    alarm_id: int
    raised_at: datetime
    room: str
    visitor: str | None


@dataclass(frozen=True)
class AppealView:
    appeal_id: int
    marker_id: int
    lodged_at: datetime
    grounds: str
    outcome: AppealOutcome | None
    decided_by: str | None
    outcome_reason: str | None
    decided_at: datetime | None = None

    @property
    def outcome_title(self) -> str:
        """ "Upheld", "Upheld in part", "Not upheld", or "Awaiting a decision"."""
        return OUTCOME_SHORT[self.outcome] if self.outcome else "Awaiting a decision"


class MarkerDesk:
    def __init__(self, db: Database, clock: Clock, config: MarkersConfig) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    def _templates(self) -> Path | None:
        return Path(self.config.letter_templates_dir) if self.config.letter_templates_dir else None

    def today(self) -> date:
        return uk_date(self.clock.now())

    def default_review_due(self) -> date:
        return review_due_from(self.clock.now(), self.config.review_months)

    def name_and_roles(self, actor: Actor) -> tuple[str, frozenset[Role]]:
        """Who is signed in, as the screen names them, and what they may do."""
        with self.db.session() as s:
            staff = acting_staff(s, actor, "Using the marker window")
            return staff.name, staff.role_set

    def roles_of(self, actor: Actor) -> frozenset[Role]:
        with self.db.session() as s:
            return acting_staff(s, actor, "Using the marker window").role_set

    def register(self, actor: Actor, *, include_removed: bool = False) -> list[RegisterEntry]:
        with self.db.session() as s:
            roles = acting_staff(s, actor, "Using the marker window").role_set
            return register_entries(
                s, roles, today=self.today(), config=self.config, include_removed=include_removed
            )

    def due(self, within_days: int = 30) -> list[marker_review.ReviewItem]:
        with self.db.session() as s:
            return marker_review.due_and_overdue(s, today=self.today(), within_days=within_days)

    def find_people(self, text: str, limit: int = 30) -> list[PersonChoice]:
        words = [w for w in text.replace(",", " ").split() if w]
        if not words:
            return []
        query = select(Person).order_by(Person.surname, Person.forenames).limit(limit)
        for word in words:
            like = f"%{word.lower()}%"
            query = query.where(
                or_(
                    func.lower(Person.surname).like(like),
                    func.lower(Person.forenames).like(like),
                    func.lower(Person.tenancy_ref).like(like),
                    func.lower(Person.postcode).like(like),
                )
            )
        with self.db.session() as s:
            return [
                PersonChoice(p.id, p.full_name, p.date_of_birth, p.postcode, p.tenancy_ref)
                for p in s.scalars(query)
            ]

    def person(self, person_id: int) -> PersonChoice | None:
        with self.db.session() as s:
            p = s.get(Person, person_id)
            if p is None:
                return None
            return PersonChoice(p.id, p.full_name, p.date_of_birth, p.postcode, p.tenancy_ref)

    def assessors(self, category: MarkerCategory) -> list[StaffChoice]:
        """Staff who may assess this category (seed 002, 3), for the form's list."""
        with self.db.session() as s:
            staff = s.scalars(select(Staff).where(Staff.active).order_by(Staff.name)).all()
            return [
                StaffChoice(m.id, m.name, m.job_title or "")
                for m in staff
                if may_assess(m.role_set, category)
            ]

    def create(self, actor: Actor, form: markers.RiskAssessment) -> int:
        with self.db.session() as s:
            return markers.create_marker(
                s, actor, form, now=self.clock.now(), config=self.config
            ).id

    def view_restricted(self, actor: Actor, marker_id: int) -> RestrictedDetail:
        return view_restricted(self.db, actor, marker_id, now=self.clock.now(), config=self.config)

    def review(self, actor: Actor, marker_id: int, form: marker_review.ReviewInput) -> None:
        with self.db.session() as s:
            marker_review.record_review(
                s, actor, marker_id, form, now=self.clock.now(), config=self.config
            )

    def appeals(self, marker_id: int) -> list[AppealView]:
        with self.db.session() as s:
            rows = s.scalars(
                select(MarkerAppeal)
                .where(MarkerAppeal.marker_id == marker_id)
                .order_by(MarkerAppeal.lodged_at)
            ).all()
            result = []
            for a in rows:
                decider = s.get(Staff, a.decided_by_id) if a.decided_by_id else None
                result.append(
                    AppealView(
                        a.id,
                        a.marker_id,
                        a.lodged_at,
                        a.grounds,
                        a.outcome,
                        decider.name if decider else None,
                        a.outcome_reason,
                        a.decided_at,
                    )
                )
            return result

    def lodge_appeal(self, actor: Actor, marker_id: int, grounds: str) -> int:
        now = self.clock.now()
        with self.db.session() as s:
            return marker_appeals.lodge_appeal(
                s, actor, marker_id, grounds=grounds, lodged_at=now, now=now
            ).id

    def decide_appeal(
        self,
        actor: Actor,
        appeal_id: int,
        outcome: AppealOutcome | None,
        reason: str,
        *,
        amended_instructions: tuple[str, ...] | None = None,
        amended_note: str | None = None,
    ) -> None:
        with self.db.session() as s:
            marker_appeals.decide_appeal(
                s,
                actor,
                appeal_id,
                outcome=outcome,
                reason=reason,
                now=self.clock.now(),
                amended_instructions=amended_instructions,
                amended_note=amended_note,
            )

    def appeal_lodging_refusal(self, marker_id: int) -> str | None:
        """Why no appeal can be recorded on the marker now (None: one can)."""
        with self.db.session() as s:
            marker = s.get(Marker, marker_id)
            if marker is None:
                raise NotFound(f"no marker with id {marker_id}")
            return marker_appeals.lodging_refusal(marker)

    def appeal_decision_refusal(self, actor: Actor, marker_id: int) -> str | None:
        """Why this person may not decide appeals on the marker (None: they may), so the form
        says so before anything is written in it."""
        with self.db.session() as s:
            staff = acting_staff(s, actor, "Deciding an appeal")
            marker = s.get(Marker, marker_id)
            if marker is None:
                raise NotFound(f"no marker with id {marker_id}")
            return marker_appeals.appeal_refusal(s, staff, marker)

    def review_refusal(self, actor: Actor, marker_id: int) -> str | None:
        """Why this person may not review the marker (None: they may), asked before the form."""
        with self.db.session() as s:
            staff = acting_staff(s, actor, "Reviewing a marker")
            marker = s.get(Marker, marker_id)
            if marker is None:
                raise NotFound(f"no marker with id {marker_id}")
            refusal = marker_review.marker_review_refusal(staff.role_set, marker, self.config)
            return f"{staff.name} cannot review this marker: {refusal}" if refusal else None

    def recent_incidents(self, limit: int = 50) -> list[IncidentChoice]:
        """Resolved real alarms, newest first: where a marker assessment may start."""
        query = (
            select(AlarmEvent, Room.name, Visit)
            .outerjoin(Room, Room.id == AlarmEvent.room_id)
            .outerjoin(Visit, Visit.id == AlarmEvent.visit_id)
            .where(AlarmEvent.resolved_at.is_not(None), AlarmEvent.is_test.is_(False))
            .order_by(AlarmEvent.raised_at.desc())
            .limit(limit)
        )
        with self.db.session() as s:
            return [
                IncidentChoice(a.id, a.raised_at, room or "unknown location", _visitor(v))
                for a, room, v in s.execute(query)
            ]

    def incident_person(self, alarm_id: int) -> PersonChoice | None:
        """Who the incident was about (the person on the visit), to keep its evidence on them."""
        with self.db.session() as s:
            p = markers.incident_person(s, alarm_id)
            if p is None:
                return None
            return PersonChoice(p.id, p.full_name, p.date_of_birth, p.postcode, p.tenancy_ref)

    def draft_from_incident(self, alarm_id: int) -> markers.RiskAssessment:
        with self.db.session() as s:
            return incident_markers.assessment_from_alarm(s, alarm_id)

    def notification_pdf(self, actor: Actor, marker_id: int, explanation: str) -> bytes:
        with self.db.session() as s:
            letter = notification_letter(
                s,
                actor,
                marker_id,
                explanation=explanation,
                now=self.clock.now(),
                template_dir=self._templates(),
            )
        return render_pdf(letter)

    def follow_up_pdf(self, actor: Actor, alarm_id: int, details: FollowUpDetails) -> bytes:
        with self.db.session() as s:
            letter = follow_up_letter(
                s, actor, alarm_id, details, now=self.clock.now(), template_dir=self._templates()
            )
        return render_pdf(letter)

    def views(self, actor: Actor, since: datetime | None = None) -> list[ViewRecord]:
        with self.db.session() as s:
            staff = acting_staff(s, actor, "The restricted views report")
            if not any(r.value in self.config.restricted_roles for r in staff.role_set):
                raise PermissionRefused(
                    "the views report is for the roles that may see the restricted register"
                )
            return views_report(s, since=since)


def _visitor(visit: Visit | None) -> str | None:
    """The visitor as recorded, with what tells namesakes apart: "John Bell, 14/08/1975, T45"."""
    if visit is None:
        return None
    parts = [visit.visitor_name]
    born = visit.visitor_date_of_birth
    if born:
        parts.append(f"{born:%d/%m/%Y}")
    if visit.person is not None and visit.person.tenancy_ref:
        parts.append(visit.person.tenancy_ref)
    elif visit.person is None:
        parts.append("walk-in")
    return ", ".join(parts)


def role_title(role: str | None) -> str:
    try:
        return ROLE_TITLES[Role(role)] if role else ""
    except ValueError:
        return role or ""
