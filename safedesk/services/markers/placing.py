"""Placing a marker from a risk assessment (seed 002): validated whole, saved whole, audited.

Every field the procedure requires is checked before anything is written, and all problems are
reported together with the field named; the marker, its restricted reason, its evidence and the
audit entry go into the caller's one transaction, so a refusal leaves nothing half-saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.config import MarkersConfig
from safedesk.models import (
    AlarmEvent,
    Marker,
    MarkerCategory,
    MarkerEvidence,
    MarkerRestricted,
    MarkerStatus,
    Person,
    Role,
    Staff,
    Visit,
)
from safedesk.services.markers.instructions import STANDARD_INSTRUCTIONS
from safedesk.services.markers.review_dates import review_due_from, uk_date
from safedesk.services.markers.roles import (
    ASSESSING_ROLE,
    ROLE_TITLES,
    assess_refusal,
    is_manager,
    may_assess,
)
from safedesk.services.shared import audit
from safedesk.services.shared.acting_staff import acting_staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import FieldProblem, PermissionRefused, require


@dataclass(frozen=True)
class EvidenceInput:
    """The specific incident or information a marker rests on."""

    occurred_on: date | None
    what_happened: str
    source: str  # who reported it / where it is recorded ("Incident report IR-2291", "Police")
    alarm_id: int | None = None


@dataclass(frozen=True)
class RiskAssessment:
    """The risk assessment form: everything needed to place a marker."""

    person_id: int | None
    category: MarkerCategory | None
    assessed_by_id: int | None
    reason: str  # why: restricted, never shown at reception
    evidence: tuple[EvidenceInput, ...]
    tenant_informed: bool | None  # None: not answered yet
    instructions: tuple[str, ...] = ()
    instructions_note: str = ""
    detail: str = ""  # restricted detail (offence, partner information, ...)
    restricted: bool = False  # on the restricted register: others see "contact <role>"
    contact_role: Role | None = None
    not_informed_reason: str = ""
    review_due: date | None = None  # default: review_months after placement
    source_alarm_id: int | None = None
    # The movements diary's two-person rule: a lone visit needs a second officer or an override.
    visits_in_pairs: bool = False


@dataclass
class _Checked:
    problems: list[FieldProblem] = field(default_factory=list)

    def add(self, name: str, message: str) -> None:
        self.problems.append(FieldProblem(name, message))


def _check_instructions(form: RiskAssessment, out: _Checked) -> None:
    unknown = [i for i in form.instructions if i not in STANDARD_INSTRUCTIONS]
    if unknown:
        out.add(
            "instructions",
            f"not on the standard list: {', '.join(unknown)} (put other wording in the free text)",
        )
    # A restricted marker needs none: staff are told to contact the named manager (seed 002 5.1).
    if not form.restricted and not form.instructions and not form.instructions_note.strip():
        out.add("instructions", "pick at least one instruction to staff, or write one")


def _check_evidence(form: RiskAssessment, today: date, out: _Checked) -> None:
    if not form.evidence:
        out.add("evidence", "a marker must rest on a recorded incident or information")
    for i, item in enumerate(form.evidence):
        name = f"evidence[{i}]"
        if item.occurred_on is None:
            out.add(f"{name}.occurred_on", "the date it happened is required")
        elif item.occurred_on > today:
            out.add(f"{name}.occurred_on", f"{item.occurred_on:%d/%m/%Y} is in the future")
        if not item.what_happened.strip():
            out.add(f"{name}.what_happened", "say what happened")
        if not item.source.strip():
            out.add(f"{name}.source", "say where this came from (report, partner, officer)")


def validate_assessment(
    session: Session, form: RiskAssessment, *, now: datetime, config: MarkersConfig
) -> list[FieldProblem]:
    """Every problem with the form, in form order; empty when it can be saved."""
    out = _Checked()
    today = uk_date(now)
    if form.person_id is None:
        out.add("person", "choose the person the marker is for")
    elif session.get(Person, form.person_id) is None:
        out.add("person", f"no person with id {form.person_id}")
    if form.category is None:
        out.add("category", "choose a category")
    _check_instructions(form, out)
    if not form.reason.strip():
        out.add("reason", "record the reason for the marker (kept restricted)")
    if form.contact_role is not None and not is_manager([form.contact_role]):
        out.add("contact_role", "staff must be told to contact a manager, not a front-line role")
    if form.assessed_by_id is None:
        out.add("assessed_by", "record who carried out the risk assessment")
    else:
        assessor = session.get(Staff, form.assessed_by_id)
        if assessor is None or not assessor.active:
            out.add("assessed_by", f"no active member of staff with id {form.assessed_by_id}")
    if form.review_due is not None:
        problem = review_due_problem(form.review_due, placed_at=now, months=config.review_months)
        if problem:
            out.add("review_due", problem)
    if form.tenant_informed is None:
        out.add("tenant_informed", "say whether the tenant has been or will be told")
    elif not form.tenant_informed and not form.not_informed_reason.strip():
        out.add("not_informed_reason", "record why the tenant is not being told")
    _check_evidence(form, today, out)
    if form.source_alarm_id is not None and session.get(AlarmEvent, form.source_alarm_id) is None:
        out.add("source_alarm", f"no alarm with id {form.source_alarm_id}")
    _check_incidents_are_about_the_person(session, form, out)
    return out.problems


def review_due_problem(review_due: date, *, placed_at: datetime, months: int) -> str | None:
    """The first review is after the day of placing and at most ``months`` later (seed 002, 6).

    Shared by the form and the marker import; None when the date is acceptable."""
    today = uk_date(placed_at)
    latest = review_due_from(placed_at, months)
    if review_due <= today:
        return f"the first review must be after today ({today:%d/%m/%Y})"
    if review_due > latest:
        return f"markers are reviewed at least every {months} months: latest {latest:%d/%m/%Y}"
    return None


def active_marker(session: Session, person_id: int, category: MarkerCategory) -> Marker | None:
    """The person's active marker of this category, if any (one per person and category)."""
    return session.scalars(
        select(Marker)
        .where(
            Marker.person_id == person_id,
            Marker.category == category,
            Marker.status == MarkerStatus.ACTIVE,
        )
        .order_by(Marker.id)
        .limit(1)
    ).first()


def incident_person(session: Session, alarm_id: int) -> Person | None:
    """The person on record as in the room when the alarm was raised (None: nobody, a walk-in)."""
    alarm = session.get(AlarmEvent, alarm_id)
    visit = session.get(Visit, alarm.visit_id) if alarm and alarm.visit_id else None
    return session.get(Person, visit.person_id) if visit and visit.person_id else None


def person_words(person: Person) -> str:
    """Enough to tell two people of the same name apart: "John Bell, 14/08/1975, T0000045"."""
    parts = [person.full_name]
    if person.date_of_birth:
        parts.append(f"{person.date_of_birth:%d/%m/%Y}")
    parts.append(person.tenancy_ref or person.postcode or "no tenancy")
    return ", ".join(parts)


def _check_incidents_are_about_the_person(
    session: Session, form: RiskAssessment, out: _Checked
) -> None:
    """An incident is evidence only against the person it happened with, never a namesake."""
    if form.person_id is None:
        return
    alarms = [(f"evidence[{i}]", e.alarm_id) for i, e in enumerate(form.evidence) if e.alarm_id]
    if form.source_alarm_id is not None:
        alarms.append(("source_alarm", form.source_alarm_id))
    for name, alarm_id in alarms:
        person = incident_person(session, alarm_id)
        if person is not None and person.id != form.person_id:
            out.add(
                name,
                f"incident INC-{alarm_id:06d} was about {person_words(person)}, "
                "not the person chosen: take it off, or choose that person",
            )


def _check_permissions(session: Session, actor: Actor, form: RiskAssessment) -> None:
    placer = acting_staff(session, actor, "Placing a marker")
    if not is_manager(placer.role_set):
        raise PermissionRefused("Placing a marker needs a manager; ask your manager to do it")
    assert form.assessed_by_id is not None and form.category is not None  # validated first
    assessor = session.get(Staff, form.assessed_by_id)
    assert assessor is not None
    if not may_assess(assessor.role_set, form.category):
        raise PermissionRefused(
            f"{assessor.name} cannot assess this marker: " + assess_refusal(form.category)
        )


def create_marker(
    session: Session,
    actor: Actor,
    form: RiskAssessment,
    *,
    now: datetime,
    config: MarkersConfig,
) -> Marker:
    """Place the marker; raises InvalidInput or PermissionRefused before writing anything."""
    require(validate_assessment(session, form, now=now, config=config))
    _check_permissions(session, actor, form)
    assert form.category is not None and form.person_id is not None
    contact_role = form.contact_role or ASSESSING_ROLE[form.category]
    marker = Marker(
        person_id=form.person_id,
        category=form.category,
        instructions=list(form.instructions),
        instructions_note=form.instructions_note.strip() or None,
        restricted=form.restricted,
        contact_role=contact_role.value,
        assessed_by_id=form.assessed_by_id,
        placed_by_id=actor.staff_id,
        placed_at=now,
        review_due=form.review_due or review_due_from(now, config.review_months),
        tenant_informed=bool(form.tenant_informed),
        tenant_informed_at=now if form.tenant_informed else None,
        not_informed_reason=None if form.tenant_informed else form.not_informed_reason.strip(),
        status=MarkerStatus.ACTIVE,
        source_alarm_id=form.source_alarm_id,
        visits_in_pairs=form.visits_in_pairs,
    )
    session.add(marker)
    session.flush()
    # Added as its own row (not through the relationship) so no SELECT of marker_restricted is
    # ever needed: an ordinary PC's database role may insert a reason but never read one.
    session.add(
        MarkerRestricted(
            marker_id=marker.id, reason=form.reason.strip(), detail=form.detail.strip() or None
        )
    )
    for item in form.evidence:
        assert item.occurred_on is not None
        session.add(
            MarkerEvidence(
                marker_id=marker.id,
                occurred_on=item.occurred_on,
                what_happened=item.what_happened.strip(),
                source=item.source.strip(),
                alarm_id=item.alarm_id,
                recorded_by_id=actor.staff_id,
                recorded_at=now,
            )
        )
    audit.record(
        session,
        actor,
        "marker.placed",
        at=now,
        subject_type="marker",
        subject_id=marker.id,
        person_id=form.person_id,
        category=form.category.value,
        assessed_by_id=form.assessed_by_id,
        restricted=form.restricted,
        visits_in_pairs=form.visits_in_pairs,
        review_due=marker.review_due.isoformat(),
        tenant_informed=bool(form.tenant_informed),
    )
    session.flush()
    return marker


def contact_text(marker: Marker) -> str:
    """What someone without permission is told: who to contact before visiting."""
    try:
        role = Role(marker.contact_role) if marker.contact_role else ASSESSING_ROLE[marker.category]
    except ValueError:
        role = ASSESSING_ROLE[marker.category]
    return f"Contact the {ROLE_TITLES[role]} before visiting"
