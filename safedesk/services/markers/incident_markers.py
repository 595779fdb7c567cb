"""From a resolved alarm to a marker assessment (seed 004: incidents are the evidence for
customer handling arrangements): the form comes pre-filled with the person and the incident."""

from __future__ import annotations

from sqlalchemy.orm import Session

from safedesk.models import AlarmEvent, MarkerCategory, Room, Staff, Visit
from safedesk.services.markers.placing import EvidenceInput, RiskAssessment
from safedesk.services.markers.review_dates import UK
from safedesk.services.shared.refusals import NotFound, PermissionRefused

OUTCOME_WORDS = {
    "false_alarm": "false alarm",
    "resolved_on_site": "resolved on site",
    "police_called": "police called",
    "ambulance_called": "ambulance called",
}


def incident_summary(session: Session, alarm: AlarmEvent) -> str:
    room = session.get(Room, alarm.room_id) if alarm.room_id else None
    resolver = session.get(Staff, alarm.resolved_by_id) if alarm.resolved_by_id else None
    raised = alarm.raised_at.astimezone(UK)
    outcome = OUTCOME_WORDS.get(alarm.outcome.value if alarm.outcome else "", "not recorded")
    parts = [
        f"Panic alarm raised in {room.name if room else 'an unknown location'} "
        f"at {raised:%H:%M on %d/%m/%Y}.",
        f"Outcome: {outcome}" + (f" (resolved by {resolver.name})." if resolver else "."),
    ]
    if alarm.notes:
        parts.append(f"Responder's notes: {alarm.notes.strip()}")
    if alarm.follow_up_notes:
        parts.append(f"Follow-up: {alarm.follow_up_notes.strip()}")
    return " ".join(parts)


def assessment_from_alarm(
    session: Session, alarm_id: int, *, assessed_by_id: int | None = None
) -> RiskAssessment:
    """A draft risk assessment for the person who was in the room; the manager completes it."""
    alarm = session.get(AlarmEvent, alarm_id)
    if alarm is None:
        raise NotFound(f"no alarm with id {alarm_id}")
    if alarm.is_test:
        raise PermissionRefused("that was a weekly alarm test, not an incident")
    if alarm.resolved_at is None:
        raise PermissionRefused("the alarm is still open: resolve it (with notes) first")
    visit = session.get(Visit, alarm.visit_id) if alarm.visit_id else None
    person_id = visit.person_id if visit else None
    evidence = EvidenceInput(
        occurred_on=alarm.raised_at.astimezone(UK).date(),
        what_happened=incident_summary(session, alarm),
        source=f"Incident record INC-{alarm.id:06d}",
        alarm_id=alarm.id,
    )
    return RiskAssessment(
        person_id=person_id,
        category=MarkerCategory.VIOLENCE_AGGRESSION,
        assessed_by_id=assessed_by_id,
        reason="",
        evidence=(evidence,),
        tenant_informed=None,
        source_alarm_id=alarm.id,
    )
