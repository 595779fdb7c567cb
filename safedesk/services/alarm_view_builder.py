"""Building the alert view model: one read of everything an alert screen shows.

Marker text comes only through ``marker_warnings`` (instructions, never restricted reasons).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import AlarmEvent, AlarmResponse, Office, Room, Staff, Visit
from safedesk.services.alarm_views import AlertView, ResponderView, VisitorInRoom
from safedesk.services.marker_warnings import warnings_for_people
from safedesk.services.office_time import local_date
from safedesk.services.room_presence import visits_in_room_now

UNKNOWN_LOCATION = "Unknown location"


def room_label(room: Room | None, device_id: str) -> str:
    """The room's name, or "Unknown location (panic device X)" for an unregistered device."""
    if room is None:
        return f"{UNKNOWN_LOCATION} (panic device {device_id})"
    return room.name


def build_alert_view(s: Session, alarm: AlarmEvent, now: datetime) -> AlertView:
    room = s.get(Room, alarm.room_id) if alarm.room_id is not None else None
    office = s.get(Office, alarm.office_id) if alarm.office_id is not None else None
    visits: list[Visit] = []
    if alarm.visit_id is not None:
        recorded = s.get(Visit, alarm.visit_id)
        if recorded is not None:
            visits.append(recorded)
    if room is not None and alarm.resolved_at is None:
        for visit in visits_in_room_now(s, room, now):
            if all(v.id != visit.id for v in visits):
                visits.append(visit)
    today = local_date(now, office.time_zone if office is not None else "Europe/London")
    warnings = warnings_for_people(
        s, [v.person_id for v in visits if v.person_id is not None], today
    )
    visitors: list[VisitorInRoom] = []
    for visit in visits:
        person_warnings = warnings.get(visit.person_id, []) if visit.person_id else []
        host = s.get(Staff, visit.host_officer_id) if visit.host_officer_id else None
        visitors.append(
            VisitorInRoom(
                visit_id=visit.id,
                name=visit.visitor_name,
                person_id=visit.person_id,
                host_officer=host.name if host is not None else None,
                purpose=visit.purpose,
                high_risk=visit.high_risk,
                marker_instructions=tuple(i for w in person_warnings for i in w.instructions),
                flagged=bool(person_warnings),
            )
        )
    responders = tuple(
        ResponderView(
            staff_id=r.staff_id,
            name=name,
            workstation=r.workstation,
            at=r.at,
        )
        for r, name in s.execute(
            select(AlarmResponse, Staff.name)
            .join(Staff, Staff.id == AlarmResponse.staff_id)
            .where(AlarmResponse.alarm_id == alarm.id)
            .order_by(AlarmResponse.at, AlarmResponse.id)
        )
    )
    acknowledged_by = s.get(Staff, alarm.acknowledged_by_id) if alarm.acknowledged_by_id else None
    return AlertView(
        alarm_id=alarm.id,
        office_id=alarm.office_id,
        office_name=office.name if office is not None else UNKNOWN_LOCATION,
        office_address=office.address if office is not None else "",
        office_phone=office.phone if office is not None else None,
        room_id=alarm.room_id,
        room_name=room_label(room, alarm.device_id),
        room_location=room.location if room is not None else None,
        unknown_location=room is None,
        device_id=alarm.device_id,
        source=alarm.source,
        pressed_at=alarm.pressed_at,
        raised_at=alarm.raised_at,
        press_count=alarm.press_count,
        is_test=alarm.is_test,
        acknowledged_at=alarm.acknowledged_at,
        acknowledged_by=acknowledged_by.name if acknowledged_by is not None else None,
        escalated_at=alarm.escalated_at,
        resolved_at=alarm.resolved_at,
        outcome=alarm.outcome,
        visitors=tuple(visitors),
        responders=responders,
    )
