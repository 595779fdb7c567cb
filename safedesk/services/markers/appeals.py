"""Appeals against a marker (seed 002 section 7): decided by a more senior manager, final.

"More senior" is the explicit ordering in marker_roles: strictly above both the assessor and the
manager who placed the marker. The outcome cannot be changed once recorded (no further appeal).
Outcomes read as UK usage does: an appeal *upheld* is one the tenant wins (the marker is removed
or changed); *not upheld* (dismissed) means the marker stays as it is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from safedesk.models import (
    AppealOutcome,
    Marker,
    MarkerAppeal,
    MarkerStatus,
    ReviewDecision,
    Staff,
)
from safedesk.services.markers.restricted_writes import flush_restricted_change
from safedesk.services.markers.review_dates import UK
from safedesk.services.markers.roles import ROLE_TITLES, SENIORITY, may_decide_appeal, seniority
from safedesk.services.shared import audit
from safedesk.services.shared.acting_staff import acting_staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import FieldProblem, NotFound, PermissionRefused, require

# What the deciding manager picks from, in this order.
OUTCOME_TITLES: dict[AppealOutcome, str] = {
    AppealOutcome.DISMISSED: "Not upheld (dismissed): the marker stays as it is",
    AppealOutcome.UPHELD_AMENDED: "Upheld in part: the marker stays, with changed instructions",
    AppealOutcome.UPHELD_REMOVED: "Upheld: the marker is removed",
}
# The outcome in a list or history.
OUTCOME_SHORT: dict[AppealOutcome, str] = {
    AppealOutcome.DISMISSED: "Not upheld",
    AppealOutcome.UPHELD_AMENDED: "Upheld in part",
    AppealOutcome.UPHELD_REMOVED: "Upheld",
}


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
    refusal = lodging_refusal(marker)
    if refusal:
        problems.append(FieldProblem("marker", refusal))
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


def lodging_refusal(marker: Marker) -> str | None:
    """Why no appeal can be lodged on ``marker`` now (None: one can).

    The outcome of an appeal is final (seed 002 section 7): once decided, a new appeal is open
    only against a later decision, a review that changed the marker."""
    if marker.status is not MarkerStatus.ACTIVE:
        return "this marker has already been removed"
    if any(a.outcome is None for a in marker.appeals):
        return "an appeal on this marker is already awaiting a decision"
    decided = [a.decided_at for a in marker.appeals if a.decided_at is not None]
    if decided:
        last = max(decided)
        changed = any(
            r.reviewed_at > last and r.decision is ReviewDecision.AMEND for r in marker.reviews
        )
        if not changed:
            return (
                f"the appeal on this marker was decided on {last.astimezone(UK):%d/%m/%Y} and "
                "the outcome is final: there is no further appeal"
            )
    return None


def original_deciders(session: Session, marker: Marker) -> list[Staff]:
    ids = {i for i in (marker.assessed_by_id, marker.placed_by_id) if i is not None}
    return [s for i in sorted(ids) if (s := session.get(Staff, i)) is not None]


def appeal_refusal(session: Session, decider: Staff, marker: Marker) -> str | None:
    """Why ``decider`` may not decide an appeal on ``marker``, or None if they may."""
    originals = original_deciders(session, marker)
    if any(o.id == decider.id for o in originals):
        return f"{decider.name} made the original decision, so someone more senior must decide it"
    if not may_decide_appeal(decider.role_set, [o.role_set for o in originals]):
        top = max(originals, key=lambda o: seniority(o.role_set))
        top_role = max(top.role_set, key=lambda r: SENIORITY[r])
        return (
            f"an appeal must be decided by someone more senior than {top.name} "
            f"({ROLE_TITLES[top_role]}), who made the original decision"
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
    # Who may decide comes first: nobody writes a decision only to be told it was never theirs.
    decider = acting_staff(session, actor, "Deciding an appeal")
    marker = appeal.marker
    refusal = appeal_refusal(session, decider, marker)
    if refusal:
        raise PermissionRefused(refusal)
    problems: list[FieldProblem] = []
    if outcome is None:
        problems.append(
            FieldProblem(
                "outcome",
                "choose upheld (marker removed), upheld in part (instructions changed) "
                "or not upheld (marker stays)",
            )
        )
    if not reason.strip():
        problems.append(FieldProblem("reason", "record the reason for the decision"))
    if outcome is AppealOutcome.UPHELD_AMENDED and not (
        amended_instructions or (amended_note or "").strip()
    ):
        problems.append(
            FieldProblem("instructions", "a marker changed on appeal needs its new instructions")
        )
    require(problems)
    assert outcome is not None
    appeal.outcome = outcome
    appeal.outcome_reason = reason.strip()
    appeal.decided_by_id = decider.id
    appeal.decided_at = now
    if outcome is AppealOutcome.UPHELD_REMOVED:
        marker.status = MarkerStatus.REMOVED
        marker.removed_at = now
        marker.removed_reason = f"Removed on appeal: {reason.strip()}"
    elif outcome is AppealOutcome.UPHELD_AMENDED:
        marker.instructions = list(amended_instructions or ())
        marker.instructions_note = (amended_note or "").strip() or None
    # PostgreSQL: removing a restricted marker needs a restricted-access login.
    flush_restricted_change(session, "Removing a marker on the restricted register")
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
