"""What the OVERDUE alert's buttons do: take it, "phoned: safe", "extended to ...", police called.

Taking the alert ("I'm phoning them") stops the escalation, as "I'm responding" does for a panic
alarm. "Cannot reach: police called" is recorded on the alert, which stays open until the officer
is found safe. Every action is audited and announced on the bus in its own transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.alarm_bus import AlarmBus
from safedesk.alarm_bus.events import OverdueChanged
from safedesk.models.movements import CheckInMethod, Movement, OverdueAlert
from safedesk.services.movements.check_in import CheckInRefused, extend, report_back
from safedesk.services.shared import audit
from safedesk.services.shared.acting_staff import acting_staff
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import NotFound


def lock_alert(session: Session, overdue_id: int) -> OverdueAlert:
    query = select(OverdueAlert).where(OverdueAlert.id == overdue_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    alert = session.scalar(query)
    if alert is None:
        raise NotFound(f"no OVERDUE alert {overdue_id}")
    if alert.resolved_at is not None:
        raise CheckInRefused("this OVERDUE alert was already resolved")
    return alert


def _changed(
    session: Session, bus: AlarmBus, alert: OverdueAlert, change: str, name: str, now: datetime
) -> None:
    session.flush()
    bus.publish(
        session,
        OverdueChanged(
            office_id=alert.office_id, overdue_id=alert.id, change=change, by_name=name, at=now
        ),
        at=now,
    )


def take(session: Session, bus: AlarmBus, actor: Actor, overdue_id: int, *, now: datetime) -> None:
    """ "I'm phoning them": the first to take it stops the escalation."""
    staff = acting_staff(session, actor, "Taking an OVERDUE alert")
    alert = lock_alert(session, overdue_id)
    if alert.taken_at is not None:
        return
    alert.taken_by_id = staff.id
    alert.taken_at = now
    audit.record(
        session,
        actor,
        "overdue.taken",
        at=now,
        subject_type="overdue_alert",
        subject_id=alert.id,
        seconds_after_raise=round((now - alert.raised_at).total_seconds(), 1),
    )
    _changed(session, bus, alert, "taken", staff.name, now)


def police_called(
    session: Session, bus: AlarmBus, actor: Actor, overdue_id: int, *, now: datetime
) -> None:
    """ "Cannot reach: police called": recorded; the alert stays open until they are found."""
    staff = acting_staff(session, actor, "Recording that the police were called")
    alert = lock_alert(session, overdue_id)
    if alert.taken_at is None:
        alert.taken_by_id, alert.taken_at = staff.id, now
    if alert.police_called_at is None:
        alert.police_called_at = now
        alert.police_called_by_id = staff.id
        audit.record(
            session,
            actor,
            "overdue.police_called",
            at=now,
            subject_type="overdue_alert",
            subject_id=alert.id,
        )
        _changed(session, bus, alert, "police_called", staff.name, now)


def phoned_safe(
    session: Session, bus: AlarmBus, actor: Actor, overdue_id: int, note: str, *, now: datetime
) -> None:
    """ "Phoned: safe": the officer reported back by phone; entry and alert close together."""
    acting_staff(session, actor, "Recording a phone call")
    alert = lock_alert(session, overdue_id)
    movement = session.get_one(Movement, alert.movement_id)
    report_back(session, bus, actor, movement, CheckInMethod.PHONED, now=now, note=note)


def extended(
    session: Session,
    bus: AlarmBus,
    actor: Actor,
    overdue_id: int,
    new_back: datetime,
    note: str,
    *,
    now: datetime,
) -> None:
    """ "Extended to ...": reached, staying longer; the alert closes, the new time is watched."""
    acting_staff(session, actor, "Extending a visit")
    alert = lock_alert(session, overdue_id)
    movement = session.get_one(Movement, alert.movement_id)
    extend(session, bus, actor, movement, new_back, now=now, note=note)
