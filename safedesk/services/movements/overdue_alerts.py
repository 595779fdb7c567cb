"""Raising and escalating OVERDUE alerts; any PC may run ``raise_due``/``escalate_due`` on a timer.

Each passed deadline (``overdue_rules``) raises one alert: the entry's row is locked (PostgreSQL)
or the database write lock taken (SQLite), the deadline re-checked, and a unique constraint on
(entry, reason, deadline) makes a second PC's attempt a no-op. Escalation follows the panic
alarm's timing (``alarm.escalate_after_s``): nobody has taken the alert after that long, the
managers get the full alert; after twice that long, every member of staff.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safedesk.alarm_bus import AlarmBus
from safedesk.alarm_bus.events import OverdueChanged, OverdueRaised
from safedesk.db import Database
from safedesk.db.write_lock import take_sqlite_write_lock
from safedesk.models.movements import Movement, OverdueAlert, OverdueReason
from safedesk.services.movements.check_in import staff_name
from safedesk.services.movements.overdue_rules import (
    EntryTimes,
    OfficeHours,
    Timers,
    passed_deadline,
)
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Escalation:
    overdue_id: int
    stage: str  # escalated_managers | escalated_all


def _spent(session: Session, movement_id: int) -> tuple[bool, set[tuple[datetime, OverdueReason]]]:
    rows = session.execute(
        select(OverdueAlert.due_at, OverdueAlert.reason, OverdueAlert.resolved_at).where(
            OverdueAlert.movement_id == movement_id
        )
    ).all()
    any_open = any(resolved is None for _, _, resolved in rows)
    return any_open, {(due, reason) for due, reason, _ in rows}


def raise_due(
    db: Database,
    bus: AlarmBus,
    *,
    now: datetime,
    hours_for: dict[int, OfficeHours],
    timers: Timers,
    workstation: str,
    office_id: int | None = None,
) -> list[int]:
    """Raise an alert for every open entry past a deadline; return the new alerts' ids."""
    query = select(Movement).where(Movement.returned_at.is_(None), Movement.cancelled_at.is_(None))
    if office_id is not None:
        query = query.where(Movement.office_id == office_id)
    with db.session() as s:
        due = []
        for m in s.scalars(query):
            hours = hours_for.get(m.office_id)
            if hours is None:
                continue
            times = EntryTimes(m.leaving_at, m.expected_back_at, m.going_in_at, m.came_out_at)
            any_open, spent = _spent(s, m.id)
            if not any_open and passed_deadline(times, hours, timers, now, spent) is not None:
                due.append(m.id)
    raised = []
    for movement_id in due:
        try:
            alert_id = _raise_one(
                db, bus, movement_id, now=now, hours_for=hours_for, timers=timers, ws=workstation
            )
        except IntegrityError:
            log.info("overdue alert for entry %d raised by another PC first", movement_id)
            continue
        if alert_id is not None:
            raised.append(alert_id)
    return raised


def _raise_one(
    db: Database,
    bus: AlarmBus,
    movement_id: int,
    *,
    now: datetime,
    hours_for: dict[int, OfficeHours],
    timers: Timers,
    ws: str,
) -> int | None:
    with db.session() as s:
        take_sqlite_write_lock(s)
        query = select(Movement).where(Movement.id == movement_id)
        if db.is_postgresql:
            query = query.with_for_update()
        m = s.scalar(query)
        if m is None or m.returned_at is not None or m.cancelled_at is not None:
            return None
        any_open, spent = _spent(s, m.id)
        times = EntryTimes(m.leaving_at, m.expected_back_at, m.going_in_at, m.came_out_at)
        deadline = passed_deadline(times, hours_for[m.office_id], timers, now, spent)
        if any_open or deadline is None:
            return None
        alert = OverdueAlert(
            movement_id=m.id,
            office_id=m.office_id,
            reason=deadline.reason,
            due_at=deadline.at,
            raised_at=now,
        )
        s.add(alert)
        s.flush()
        officer = staff_name(s, m.officer_id)
        audit.record(
            s,
            Actor.system(ws),
            "overdue.raised",
            at=now,
            subject_type="overdue_alert",
            subject_id=alert.id,
            movement_id=m.id,
            reason=deadline.reason.value,
            due_at=deadline.at.isoformat(),
        )
        bus.publish(
            s,
            OverdueRaised(
                office_id=m.office_id,
                overdue_id=alert.id,
                movement_id=m.id,
                officer_name=officer,
                address=m.address,
                reason=deadline.reason.value,
                due_at=deadline.at,
                raised_at=now,
            ),
            at=now,
        )
        log.error(
            "OVERDUE %d: %s not back from %s (%s, deadline %s)",
            alert.id,
            officer,
            m.address,
            deadline.reason.value,
            deadline.at.isoformat(timespec="minutes"),
        )
        return alert.id


def escalate_due(
    db: Database, bus: AlarmBus, *, now: datetime, after_s: int, workstation: str
) -> list[Escalation]:
    """Untaken alerts: to the managers after ``after_s``, to all staff after twice that."""
    first = now - timedelta(seconds=after_s)
    second = now - timedelta(seconds=2 * after_s)
    due = (OverdueAlert.resolved_at.is_(None), OverdueAlert.taken_at.is_(None))
    stages = (
        ("escalated_managers", OverdueAlert.escalated_managers_at, first),
        ("escalated_all", OverdueAlert.escalated_all_at, second),
    )
    with db.session() as s:
        waiting = [
            (stage, column, cutoff)
            for stage, column, cutoff in stages
            if s.scalar(
                select(OverdueAlert.id)
                .where(*due, column.is_(None), OverdueAlert.raised_at <= cutoff)
                .limit(1)
            )
            is not None
        ]
    if not waiting:
        return []
    done: list[Escalation] = []
    with db.session() as s:
        take_sqlite_write_lock(s)
        for stage, column, cutoff in waiting:
            query = select(OverdueAlert).where(
                *due, column.is_(None), OverdueAlert.raised_at <= cutoff
            )
            if db.is_postgresql:
                query = query.with_for_update(skip_locked=True)
            for alert in s.scalars(query.order_by(OverdueAlert.id)).all():
                setattr(alert, column.key, now)
                audit.record(
                    s,
                    Actor.system(workstation),
                    f"overdue.{stage}",
                    at=now,
                    subject_type="overdue_alert",
                    subject_id=alert.id,
                    untaken_s=round((now - alert.raised_at).total_seconds(), 1),
                )
                s.flush()
                bus.publish(
                    s,
                    OverdueChanged(
                        office_id=alert.office_id,
                        overdue_id=alert.id,
                        change=stage,
                        by_name="SafeDesk",
                        at=now,
                    ),
                    at=now,
                )
                log.error("OVERDUE %d %s: nobody has taken it", alert.id, stage.replace("_", " "))
                done.append(Escalation(alert.id, stage))
    return done
