"""Reporting back (seed 000: "officers must report back to the office, perhaps by phone").

An officer checks in by signing in on any office PC, by "I'm back" on their own PC (or
``safedesk back``), or reception marks "phoned in: safe" with who took the call. Before the
expected return passes the officer may extend it; a colleague who takes their call may extend it
at any time. An amber visit adds "I'm going in" and "I'm out". A check-in while an OVERDUE alert
is open closes the alert with the same words.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.alarm_bus import AlarmBus
from safedesk.alarm_bus.events import MovementChanged, OverdueChanged
from safedesk.models import Staff
from safedesk.models.movements import CheckInMethod, Movement, OverdueAlert, OverdueOutcome
from safedesk.services.movements.overdue_rules import EntryTimes, may_extend_self
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.refusals import NotFound

MAX_EXTENSION_HOURS = 12


class CheckInRefused(Exception):
    """A check-in, extension or amber step that does not fit the entry (already back, ...)."""


def staff_name(session: Session, staff_id: int | None) -> str:
    staff = session.get(Staff, staff_id) if staff_id is not None else None
    return staff.name if staff is not None else "SafeDesk"


def open_movement(session: Session, movement_id: int, *, lock: bool) -> Movement:
    query = select(Movement).where(Movement.id == movement_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    movement = session.scalar(query)
    if movement is None:
        raise NotFound(f"no diary entry {movement_id}")
    if movement.cancelled_at is not None:
        raise CheckInRefused("that diary entry was cancelled")
    return movement


def announce(
    session: Session, bus: AlarmBus, movement: Movement, change: str, *, now: datetime
) -> None:
    bus.publish(
        session,
        MovementChanged(
            office_id=movement.office_id,
            movement_id=movement.id,
            change=change,
            officer_name=staff_name(session, movement.officer_id),
            at=now,
        ),
        at=now,
    )


def _open_alert(session: Session, movement_id: int) -> OverdueAlert | None:
    return session.scalar(
        select(OverdueAlert).where(
            OverdueAlert.movement_id == movement_id, OverdueAlert.resolved_at.is_(None)
        )
    )


def close_alert(
    session: Session,
    bus: AlarmBus,
    actor: Actor,
    alert: OverdueAlert,
    outcome: OverdueOutcome,
    notes: str,
    *,
    now: datetime,
) -> None:
    """Resolve an OVERDUE alert (the incident record): outcome, notes, who, when."""
    alert.resolved_at = now
    alert.resolved_by_id = actor.staff_id
    alert.outcome = outcome
    alert.notes = notes
    audit.record(
        session,
        actor,
        "overdue.resolved",
        at=now,
        subject_type="overdue_alert",
        subject_id=alert.id,
        outcome=outcome.value,
        notes=notes,
    )
    session.flush()
    bus.publish(
        session,
        OverdueChanged(
            office_id=alert.office_id,
            overdue_id=alert.id,
            change="resolved",
            by_name=staff_name(session, actor.staff_id) if actor.staff_id else actor.login,
            at=now,
        ),
        at=now,
    )


def report_back(
    session: Session,
    bus: AlarmBus,
    actor: Actor,
    movement: Movement,
    method: CheckInMethod,
    *,
    now: datetime,
    note: str = "",
) -> None:
    """The officer is back (or safe, by phone): the entry closes, and any open alert with it."""
    if movement.returned_at is not None:
        raise CheckInRefused("already reported back")
    movement.returned_at = now
    movement.check_in_method = method
    movement.checked_in_by_id = actor.staff_id
    movement.check_in_workstation = actor.workstation
    movement.check_in_note = note.strip() or None
    audit.record(
        session,
        actor,
        "movement.back",
        at=now,
        subject_type="movement",
        subject_id=movement.id,
        method=method.value,
        note=movement.check_in_note,
        minutes_after_expected=round((now - movement.expected_back_at).total_seconds() / 60),
    )
    alert = _open_alert(session, movement.id)
    if alert is not None:
        phoned = method is CheckInMethod.PHONED
        outcome = OverdueOutcome.PHONED_SAFE if phoned else OverdueOutcome.RETURNED
        who = staff_name(session, movement.officer_id)
        words = f"Phoned in: safe. {note}".strip() if phoned else f"{who} reported back: safe."
        close_alert(session, bus, actor, alert, outcome, words, now=now)
    session.flush()
    announce(session, bus, movement, "back", now=now)


def extend(
    session: Session,
    bus: AlarmBus,
    actor: Actor,
    movement: Movement,
    new_back: datetime,
    *,
    now: datetime,
    note: str = "",
) -> None:
    """A new expected return: the officer before it passes, or whoever takes their call."""
    if movement.returned_at is not None:
        raise CheckInRefused("already reported back: nothing to extend")
    times = EntryTimes(movement.leaving_at, movement.expected_back_at)
    by_officer = actor.staff_id in (movement.officer_id, movement.second_officer_id)
    if by_officer and not may_extend_self(times, now):
        raise CheckInRefused(
            "Your expected return has passed: report back now (or phone the office)."
        )
    if new_back <= now:
        raise CheckInRefused("the new return time must be later than now")
    if (new_back - now).total_seconds() > MAX_EXTENSION_HOURS * 3600:
        raise CheckInRefused(f"extend by at most {MAX_EXTENSION_HOURS} hours at a time")
    old = movement.expected_back_at
    movement.expected_back_at = new_back
    audit.record(
        session,
        actor,
        "movement.extended",
        at=now,
        subject_type="movement",
        subject_id=movement.id,
        old=old.isoformat(),
        new=new_back.isoformat(),
        by_officer=by_officer,
        note=note.strip() or None,
    )
    alert = _open_alert(session, movement.id)
    if alert is not None:
        words = f"Extended to {new_back.isoformat(timespec='minutes')}. {note}".strip()
        close_alert(session, bus, actor, alert, OverdueOutcome.EXTENDED, words, now=now)
    session.flush()
    announce(session, bus, movement, "extended", now=now)


def going_in(
    session: Session, bus: AlarmBus, actor: Actor, movement: Movement, *, now: datetime
) -> None:
    """Amber: "I'm going in" at the door; the shorter amber timer starts."""
    if movement.returned_at is not None:
        raise CheckInRefused("already reported back")
    movement.going_in_at = now
    movement.came_out_at = None
    audit.record(
        session, actor, "movement.going_in", at=now, subject_type="movement", subject_id=movement.id
    )
    session.flush()
    announce(session, bus, movement, "going_in", now=now)


def came_out(
    session: Session, bus: AlarmBus, actor: Actor, movement: Movement, *, now: datetime
) -> None:
    """Amber: "I'm out" on leaving the address; the visit is still open until reporting back."""
    if movement.going_in_at is None or movement.came_out_at is not None:
        raise CheckInRefused("say \u201cI'm going in\u201d first")
    movement.came_out_at = now
    audit.record(
        session, actor, "movement.came_out", at=now, subject_type="movement", subject_id=movement.id
    )
    alert = _open_alert(session, movement.id)
    if alert is not None:
        close_alert(
            session,
            bus,
            actor,
            alert,
            OverdueOutcome.RETURNED,
            "Out of the address: safe.",
            now=now,
        )
    session.flush()
    announce(session, bus, movement, "came_out", now=now)


def cancel(
    session: Session, bus: AlarmBus, actor: Actor, movement: Movement, reason: str, *, now: datetime
) -> None:
    """An entry logged by mistake; never while its OVERDUE alert is open."""
    if not reason.strip():
        raise CheckInRefused("say why the entry is cancelled")
    if movement.returned_at is not None:
        raise CheckInRefused("already reported back")
    if _open_alert(session, movement.id) is not None:
        raise CheckInRefused("an OVERDUE alert is open: resolve it on the alert")
    movement.cancelled_at = now
    audit.record(
        session,
        actor,
        "movement.cancelled",
        at=now,
        subject_type="movement",
        subject_id=movement.id,
        reason=reason.strip(),
    )
    session.flush()
    announce(session, bus, movement, "cancelled", now=now)
