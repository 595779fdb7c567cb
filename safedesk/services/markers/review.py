"""Six-monthly reviews (seed 002 section 6): what is due, what is overdue, and recording a review.

An overdue review never switches a marker off: the marker stays ACTIVE and keeps warning at
reception (marker_warnings flags it ``overdue_review``); managers see it highlighted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.config import MarkersConfig
from safedesk.models import (
    Marker,
    MarkerCategory,
    MarkerReview,
    MarkerStatus,
    Person,
    ReviewDecision,
    Role,
    Staff,
)
from safedesk.services.markers.instructions import STANDARD_INSTRUCTIONS
from safedesk.services.markers.restricted_writes import flush_restricted_change
from safedesk.services.markers.review_dates import add_months, review_due_from, uk_date
from safedesk.services.markers.roles import ASSESSING_ROLE, ROLE_TITLES, review_refusal
from safedesk.services.shared import audit
from safedesk.services.shared.acting_staff import acting_staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import FieldProblem, NotFound, PermissionRefused, require


@dataclass(frozen=True)
class ReviewItem:
    marker_id: int
    person_id: int
    person_name: str
    tenancy_ref: str | None
    category: MarkerCategory
    review_due: date
    overdue: bool
    days: int  # days overdue (positive) or days until due (negative)
    reviewer_role: str  # who should carry it out (seed 002, 6)
    assessed_by: str | None


@dataclass(frozen=True)
class ReviewInput:
    decision: ReviewDecision | None
    reason: str
    information_considered: str
    tenant_informed: bool | None
    not_informed_reason: str = ""
    # For AMEND: the new instructions (standard list + free text) and register flag.
    instructions: tuple[str, ...] | None = None
    instructions_note: str | None = None
    restricted: bool | None = None
    next_review_due: date | None = None  # default: review_months from today
    # The movements diary's two-person rule; None leaves the flag as it is.
    visits_in_pairs: bool | None = None


def due_and_overdue(session: Session, *, today: date, within_days: int = 30) -> list[ReviewItem]:
    """Active markers whose review is overdue or due within ``within_days``, most overdue first."""
    horizon = today + timedelta(days=within_days)
    query = (
        select(Marker, Person, Staff.name)
        .join(Person, Person.id == Marker.person_id)
        .outerjoin(Staff, Staff.id == Marker.assessed_by_id)
        .where(Marker.status == MarkerStatus.ACTIVE, Marker.review_due <= horizon)
        .order_by(Marker.review_due, Marker.id)
    )
    return [
        ReviewItem(
            marker_id=m.id,
            person_id=p.id,
            person_name=p.full_name,
            tenancy_ref=p.tenancy_ref,
            category=m.category,
            review_due=m.review_due,
            overdue=m.review_due < today,
            days=(today - m.review_due).days,
            reviewer_role=ROLE_TITLES[ASSESSING_ROLE[m.category]],
            assessed_by=assessor,
        )
        for m, p, assessor in session.execute(query)
    ]


def _validate(form: ReviewInput, today: date, config: MarkersConfig) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if form.decision is None:
        problems.append(FieldProblem("decision", "choose continue, amend or remove"))
    if not form.reason.strip():
        problems.append(FieldProblem("reason", "record the reason for the decision"))
    if not form.information_considered.strip():
        problems.append(
            FieldProblem(
                "information_considered",
                "record the information considered (conduct since the marker, support in place)",
            )
        )
    if form.tenant_informed is None:
        problems.append(FieldProblem("tenant_informed", "say whether the tenant will be told"))
    elif not form.tenant_informed and not form.not_informed_reason.strip():
        problems.append(FieldProblem("not_informed_reason", "record why the tenant is not told"))
    if form.decision is ReviewDecision.AMEND:
        instructions = form.instructions or ()
        unknown = [i for i in instructions if i not in STANDARD_INSTRUCTIONS]
        if unknown:
            problems.append(
                FieldProblem("instructions", f"not on the standard list: {', '.join(unknown)}")
            )
        if not instructions and not (form.instructions_note or "").strip():
            problems.append(FieldProblem("instructions", "an amended marker needs instructions"))
    if form.next_review_due is not None and form.decision is not ReviewDecision.REMOVE:
        if form.next_review_due <= today:
            problems.append(FieldProblem("next_review_due", "the next review must be after today"))
        elif form.next_review_due > add_months(today, config.review_months):
            problems.append(
                FieldProblem(
                    "next_review_due",
                    f"markers are reviewed at least every {config.review_months} months",
                )
            )
    return problems


def marker_review_refusal(
    roles: frozenset[Role], marker: Marker, config: MarkersConfig
) -> str | None:
    """Why someone with these roles may not review ``marker`` (None: they may)."""
    return review_refusal(
        roles,
        restricted_register=marker.restricted,
        category=marker.category,
        restricted_roles=config.restricted_roles,
    )


def record_review(
    session: Session,
    actor: Actor,
    marker_id: int,
    form: ReviewInput,
    *,
    now: datetime,
    config: MarkersConfig,
) -> MarkerReview:
    """Record a review by the category's reviewer (or someone more senior); all or nothing."""
    today = uk_date(now)
    marker = session.get(Marker, marker_id)
    if marker is None:
        raise NotFound(f"no marker with id {marker_id}")
    if marker.status is not MarkerStatus.ACTIVE:
        raise PermissionRefused("this marker has been removed; there is nothing to review")
    # Who may review comes first: nobody fills in a form only to be told it was never theirs.
    reviewer = acting_staff(session, actor, "Reviewing a marker")
    refusal = marker_review_refusal(reviewer.role_set, marker, config)
    if refusal:
        raise PermissionRefused(f"{reviewer.name} cannot review this marker: {refusal}")
    require(_validate(form, today, config))
    assert form.decision is not None
    next_due = None
    if form.decision is not ReviewDecision.REMOVE:
        next_due = form.next_review_due or review_due_from(now, config.review_months)
    review = MarkerReview(
        marker_id=marker.id,
        reviewed_by_id=reviewer.id,
        reviewed_at=now,
        decision=form.decision,
        reason=form.reason.strip(),
        information_considered=form.information_considered.strip(),
        next_review_due=next_due,
        tenant_informed=bool(form.tenant_informed),
        not_informed_reason=None if form.tenant_informed else form.not_informed_reason.strip(),
    )
    session.add(review)
    before = {
        "instructions": list(marker.instructions),
        "restricted": marker.restricted,
        "visits_in_pairs": marker.visits_in_pairs,
    }
    if form.decision is ReviewDecision.REMOVE:
        marker.status = MarkerStatus.REMOVED
        marker.removed_at = now
        marker.removed_reason = f"Review: {form.reason.strip()}"
    else:
        assert next_due is not None
        marker.review_due = next_due
        if form.decision is ReviewDecision.AMEND:
            marker.instructions = list(form.instructions or ())
            marker.instructions_note = (form.instructions_note or "").strip() or None
            if form.restricted is not None:
                marker.restricted = form.restricted
        if form.visits_in_pairs is not None:
            marker.visits_in_pairs = form.visits_in_pairs
    # PostgreSQL: removing or un-restricting a restricted marker needs a restricted-access login.
    flush_restricted_change(session, "Removing a restricted marker or taking it off the register")
    audit.record(
        session,
        actor,
        "marker.reviewed",
        at=now,
        subject_type="marker",
        subject_id=marker.id,
        review_id=review.id,
        decision=form.decision.value,
        next_review_due=next_due.isoformat() if next_due else None,
        before=before,
        tenant_informed=bool(form.tenant_informed),
    )
    return review
