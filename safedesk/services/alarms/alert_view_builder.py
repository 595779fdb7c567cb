"""Building the alert view model: one read of everything an alert screen shows.

Marker text comes only through ``marker_warnings`` (instructions, never restricted reasons).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.models import (
    AlarmEvent,
    AlarmResponse,
    Office,
    Room,
    RoomKind,
    Staff,
    Visit,
    Workstation,
)
from safedesk.services.alarms.alert_views import (
    AlertView,
    ResponderView,
    StaffInRoom,
    VisitorInRoom,
)
from safedesk.services.alarms.pc_presence import signed_in_now
from safedesk.services.alarms.room_presence import visits_in_room_now, waiting_in_reception
from safedesk.services.markers.warnings import MarkerWarning, warnings_for_people
from safedesk.services.shared.office_time import local_date
from safedesk.services.shared.server_clock import database_now

UNKNOWN_LOCATION = "Unknown location"


def room_label(room: Room | None, device_id: str, heard_on: str | None = None) -> str:
    """The room's name, or "Unknown location (panic device X)" for an unregistered device, with
    where it was heard when known ("Unknown location: panic device X heard on port ...")."""
    if room is None:
        if heard_on:
            return f"{UNKNOWN_LOCATION}: panic device {device_id} heard on {heard_on}"
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
    is_open = alarm.resolved_at is None
    if room is not None and is_open:
        for visit in visits_in_room_now(s, room, now):
            if all(v.id != visit.id for v in visits):
                visits.append(visit)
    is_desk = room is not None and room.kind is RoomKind.RECEPTION_DESK
    waiting: list[Visit] = []
    if is_desk and room is not None and is_open:
        waiting = [
            v for v in waiting_in_reception(s, room, now) if all(v.id != w.id for w in visits)
        ]
    today = local_date(now, office.time_zone if office is not None else "Europe/London")
    warnings = warnings_for_people(
        s, [v.person_id for v in visits + waiting if v.person_id is not None], today
    )
    hosts = {
        m.id: m.name
        for m in s.scalars(
            select(Staff).where(
                Staff.id.in_({v.host_officer_id for v in visits + waiting if v.host_officer_id})
            )
        )
    }
    visitors = tuple(_visitor(v, warnings, hosts) for v in visits)
    staff: list[StaffInRoom] = []
    for visitor in visitors:
        if visitor.host_officer and all(p.name != visitor.host_officer for p in staff):
            staff.append(StaffInRoom(visitor.host_officer, f"seeing {visitor.name}", None))
    if is_desk and room is not None and is_open:
        for pc in signed_in_now(s, database_now(s, now), desk_room_id=room.id):
            staff.append(StaffInRoom(pc.staff_name, "signed in at this desk", pc.label))
    responses = s.execute(
        select(AlarmResponse, Staff.name)
        .join(Staff, Staff.id == AlarmResponse.staff_id)
        .where(AlarmResponse.alarm_id == alarm.id)
        .order_by(AlarmResponse.at, AlarmResponse.id)
    ).all()
    labels = _pc_labels(s, {r.workstation for r, _ in responses if r.workstation})
    responders = tuple(
        ResponderView(
            staff_id=r.staff_id,
            name=name,
            workstation=labels.get(r.workstation) if r.workstation else None,
            at=r.at,
        )
        for r, name in responses
    )
    acknowledged_by = s.get(Staff, alarm.acknowledged_by_id) if alarm.acknowledged_by_id else None
    resolved_by = s.get(Staff, alarm.resolved_by_id) if alarm.resolved_by_id else None
    return AlertView(
        alarm_id=alarm.id,
        office_id=alarm.office_id,
        office_name=office.name if office is not None else UNKNOWN_LOCATION,
        office_address=office.address if office is not None else "",
        office_phone=office.phone if office is not None else None,
        room_id=alarm.room_id,
        room_name=room_label(room, alarm.device_id, alarm.heard_on),
        room_location=room.location if room is not None else None,
        room_kind=room.kind if room is not None else None,
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
        resolved_by=resolved_by.name if resolved_by is not None else None,
        outcome=alarm.outcome,
        visitors=visitors,
        responders=responders,
        staff=tuple(staff),
        waiting=tuple(_visitor(v, warnings, hosts) for v in waiting),
    )


def _visitor(
    visit: Visit, warnings: Mapping[int, Sequence[MarkerWarning]], hosts: Mapping[int, str]
) -> VisitorInRoom:
    person_warnings = warnings.get(visit.person_id, []) if visit.person_id else []
    return VisitorInRoom(
        visit_id=visit.id,
        name=visit.visitor_name,
        person_id=visit.person_id,
        host_officer=hosts.get(visit.host_officer_id) if visit.host_officer_id else None,
        purpose=visit.purpose,
        high_risk=visit.high_risk,
        marker_instructions=tuple(i for w in person_warnings for i in w.instructions),
        flagged=bool(person_warnings),
    )


def _pc_labels(s: Session, names: set[str]) -> dict[str, str]:
    """PCs' configured names by their recorded name; a PC known only by host name has none."""
    if not names:
        return {}
    rows = s.execute(
        select(Workstation.name, Workstation.label).where(
            Workstation.name.in_(names), Workstation.label.is_not(None)
        )
    )
    return {name: label for name, label in rows if label}
