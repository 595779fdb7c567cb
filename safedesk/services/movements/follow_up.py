"""An OVERDUE event is followed up like an incident (seed 004): the manager's debrief, then action.

Same statuses, same manager roles and the same appended follow-up notes as ``incidents``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from safedesk.models import Staff
from safedesk.models.movements import OverdueAlert
from safedesk.services.alarms.incidents import MANAGER_ROLES, IncidentError, IncidentStatus
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor


def status_of(alert: OverdueAlert) -> IncidentStatus:
    if alert.resolved_at is None:
        return IncidentStatus.OPEN
    if alert.debriefed_at is None:
        return IncidentStatus.AWAITING_DEBRIEF
    if not alert.follow_up_notes:
        return IncidentStatus.AWAITING_FOLLOW_UP
    return IncidentStatus.CLOSED


def _manager_alert(session: Session, overdue_id: int, actor: Actor) -> tuple[OverdueAlert, Staff]:
    staff = session.get(Staff, actor.staff_id) if actor.staff_id is not None else None
    if staff is None or not (staff.role_set & MANAGER_ROLES):
        raise IncidentError("only a manager can record a debrief or follow-up")
    alert = session.get(OverdueAlert, overdue_id)
    if alert is None:
        raise IncidentError(f"no OVERDUE event {overdue_id}")
    if alert.resolved_at is None:
        raise IncidentError(f"OVERDUE event {overdue_id} is still open: resolve it first")
    return alert, staff


def record_debrief(
    session: Session, actor: Actor, overdue_id: int, notes: str, *, now: datetime
) -> None:
    notes = (notes or "").strip()
    if not notes:
        raise IncidentError("debrief notes are required (what happened, what support is needed)")
    alert, staff = _manager_alert(session, overdue_id, actor)
    alert.debriefed_at = now
    alert.debriefed_by_id = staff.id
    audit.record(
        session,
        actor,
        "overdue.debriefed",
        at=now,
        subject_type="overdue_alert",
        subject_id=overdue_id,
        notes=notes,
    )


def record_follow_up(
    session: Session, actor: Actor, overdue_id: int, notes: str, *, now: datetime
) -> None:
    notes = (notes or "").strip()
    if not notes:
        raise IncidentError("describe the follow-up action taken")
    alert, staff = _manager_alert(session, overdue_id, actor)
    entry = f"{now:%Y-%m-%d %H:%M} UTC, {staff.name}: {notes}"
    alert.follow_up_notes = f"{alert.follow_up_notes}\n{entry}" if alert.follow_up_notes else entry
    audit.record(
        session,
        actor,
        "overdue.follow_up",
        at=now,
        subject_type="overdue_alert",
        subject_id=overdue_id,
        notes=notes,
    )
