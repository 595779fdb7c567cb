"""Appeals against a marker (seed 002 section 7): decided by a more senior manager, final.

"More senior" is the explicit ordering in marker_roles: strictly above both the assessor and the
manager who placed the marker. The outcome cannot be changed once recorded (no further appeal).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from safedesk.models import (
    AppealOutcome,
    Marker,
    MarkerAppeal,
    MarkerStatus,
    Staff,
)
from safedesk.services import audit
from safedesk.services.acting_staff import acting_staff
from safedesk.services.actor import Actor
from safedesk.services.marker_roles import ROLE_TITLES, SENIORITY, may_decide_appeal, seniority
from safedesk.services.refusals import FieldProblem, NotFound, PermissionRefused, require


def lodge_appeal(
    session: Session,
    actor: Actor,
    marker_id: int,
    *,
    grounds: str,
    lodged_at: datetime,
    now: datetime,
) -> MarkerAppeal:
    """Record the tenant's appeal (taken by any signed-in member of staff)."""
    staff = acting_staff(session, actor, "Recording an appeal")
    marker = session.get(Marker, marker_id)
    if marker is None:
        raise NotFound(f"no marker with id {marker_id}")
    problems: list[FieldProblem] = []
    if not grounds.strip():
        problems.append(FieldProblem("grounds", "record the tenant's grounds for appeal"))
    if lodged_at > now:
        problems.append(FieldProblem("lodged_at", "the appeal cannot be dated in the future"))
    if marker.status is not MarkerStatus.ACTIVE:
        problems.append(FieldProblem("marker", "this marker has already been removed"))
    if any(a.outcome is None for a in marker.appeals):
        problems.append(
            FieldProblem("marker", "an appeal on this marker is already awaiting a decision")
        )
    require(problems)
    appeal = MarkerAppeal(
        marker_id=marker.id, lodged_at=lodged_at, grounds=grounds.strip(), recorded_by_id=staff.id
    )
    session.add(appeal)
    session.flush()
    audit.record(
        session,
        actor,
        "marker.appeal_lodged",
        at=now,
        subject_type="marker",
        subject_id=marker.id,
        appeal_id=appeal.id,
    )
    return appeal


def original_deciders(session: Session, marker: Marker) -> list[Staff]:
    ids = {i for i in (marker.assessed_by_id, marker.placed_by_id) if i is not None}
    return [s for i in sorted(ids) if (s := session.get(Staff, i)) is not None]


def appeal_refusal(session: Session, decider: Staff, marker: Marker) -> str | None:
    """Why ``decider`` may not decide an appeal on ``marker``, or None if they may."""
    originals = original_deciders(session, marker)
    if any(o.id == decider.id for o in originals):
        return f"{decider.name} made the original decision and cannot decide the appeal"
    if not may_decide_appeal(decider.role_set, [o.role_set for o in originals]):
        top = max(originals, key=lambda o: seniority(o.role_set))
        top_role = max(top.role_set, key=lambda r: SENIORITY[r])
        return (
            f"an appeal must be decided by someone more senior than {top.name} "
            f"({ROLE_TITLES[top_role]}), who made the original decision (seed 002 section 7)"
        )
    return None


def decide_appeal(
    session: Session,
    actor: Actor,
    appeal_id: int,
    *,
    outcome: AppealOutcome | None,
    reason: str,
    now: datetime,
    amended_instructions: tuple[str, ...] | None = None,
    amended_note: str | None = None,
) -> MarkerAppeal:
    """Decide the appeal; the outcome is final and recorded."""
    appeal = session.get(MarkerAppeal, appeal_id)
    if appeal is None:
        raise NotFound(f"no appeal with id {appeal_id}")
    if appeal.outcome is not None:
        raise PermissionRefused(
            f"this appeal was decided on {appeal.decided_at:%d/%m/%Y}: the outcome is final"
        )
    problems: list[FieldProblem] = []
    if outcome is None:
        problems.append(FieldProblem("outcome", "choose upheld, amended or removed"))
    if not reason.strip():
        problems.append(FieldProblem("reason", "record the reason for the decision"))
    if outcome is AppealOutcome.AMENDED and not (
        amended_instructions or (amended_note or "").strip()
    ):
        problems.append(
            FieldProblem("instructions", "an amended marker needs its new instructions")
        )
    require(problems)
    decider = acting_staff(session, actor, "Deciding an appeal")
    marker = appeal.marker
    refusal = appeal_refusal(session, decider, marker)
    if refusal:
        raise PermissionRefused(refusal)
    assert outcome is not None
    appeal.outcome = outcome
    appeal.outcome_reason = reason.strip()
    appeal.decided_by_id = decider.id
    appeal.decided_at = now
    if outcome is AppealOutcome.REMOVED:
        marker.status = MarkerStatus.REMOVED
        marker.removed_at = now
        marker.removed_reason = f"Removed on appeal: {reason.strip()}"
    elif outcome is AppealOutcome.AMENDED:
        marker.instructions = list(amended_instructions or ())
        marker.instructions_note = (amended_note or "").strip() or None
    session.flush()
    audit.record(
        session,
        actor,
        "marker.appeal_decided",
        at=now,
        subject_type="marker",
        subject_id=marker.id,
        appeal_id=appeal.id,
        outcome=outcome.value,
    )
    return appeal
