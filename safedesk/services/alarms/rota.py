"""Who responds right now: the rota rules (regular weekly shifts, dated extras and absences).

Shift times are local to the office's time zone, so 09:00 stays 09:00 across GMT/BST changes;
a shift whose end is not after its start runs over midnight into the next day (equal: 24 hours).
Someone is on duty when ``now`` falls in one of their REGULAR or EXTRA shifts and in none of
their ABSENT windows (an absence is a dated window too: 00:00-00:00 is the whole day).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import desc, select, text

from safedesk.alarm_bus import AlarmBus, NoRespondersOnDuty, RespondersOnDuty
from safedesk.db import Database
from safedesk.db.write_lock import take_sqlite_write_lock
from safedesk.models import BusEvent, Office, RotaShift, ShiftKind, Staff
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor

# PostgreSQL advisory lock namespace for "one cover announcer per office" (alarms use 0x5AFE+).
_COVER_LOCK_NAMESPACE = 0x5AFE + 16


class AlertLevel(enum.StrEnum):
    FULL_SCREEN = "full_screen"  # on duty, escalated, or nobody on the rota: everyone goes
    NOTICE = "notice"  # the smaller notice for staff not on duty


@dataclass(frozen=True)
class OnDuty:
    staff_id: int
    name: str
    until: datetime  # UTC end of the shift covering now


@dataclass(frozen=True)
class ShiftRule:
    """One rota row as plain data, so the rule runs without a database."""

    staff_id: int
    kind: ShiftKind
    weekday: int | None
    on_date: date | None
    starts: time
    ends: time


def _window(day: date, starts: time, ends: time, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC interval of a shift that starts on local ``day`` (over midnight if ends <= starts)."""
    end_day = day + timedelta(days=1) if ends <= starts else day
    start = datetime.combine(day, starts, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(end_day, ends, tzinfo=zone).astimezone(UTC)
    return start, end


def shift_windows(
    rule: ShiftRule, now: datetime, zone: ZoneInfo
) -> list[tuple[datetime, datetime]]:
    """The rule's intervals that could contain ``now`` (starting today or yesterday, local time)."""
    today = now.astimezone(zone).date()
    windows = []
    for day in (today - timedelta(days=1), today):
        if rule.kind is ShiftKind.REGULAR:
            applies = rule.weekday == day.weekday()
        else:
            applies = rule.on_date == day
        if applies:
            windows.append(_window(day, rule.starts, rule.ends, zone))
    return windows


def on_duty_until(rules: Iterable[ShiftRule], now: datetime, zone: ZoneInfo) -> dict[int, datetime]:
    """staff_id -> end of their covering shift, for everyone on duty at ``now``."""
    working: dict[int, datetime] = {}
    absent: set[int] = set()
    for rule in rules:
        for start, end in shift_windows(rule, now, zone):
            if not start <= now < end:
                continue
            if rule.kind is ShiftKind.ABSENT:
                absent.add(rule.staff_id)
            else:
                working[rule.staff_id] = max(end, working.get(rule.staff_id, end))
    return {staff_id: end for staff_id, end in working.items() if staff_id not in absent}


class RotaError(Exception):
    """A rota change that cannot be made (unknown person or shift, nonsense times)."""


@dataclass(frozen=True)
class ShiftView:
    shift_id: int
    staff_id: int
    name: str
    kind: ShiftKind
    weekday: int | None
    on_date: date | None
    starts: time
    ends: time
    note: str | None


class RotaService:
    def __init__(self, db: Database, bus: AlarmBus | None = None) -> None:
        self.db = db
        self.bus = bus

    # --- changing the rota (every change audited) ---------------------------------------------

    def add_shift(
        self,
        actor: Actor,
        *,
        staff_id: int,
        office_id: int,
        kind: ShiftKind,
        starts: time,
        ends: time,
        at: datetime,
        weekday: int | None = None,
        on_date: date | None = None,
        note: str | None = None,
    ) -> int:
        """Add a regular shift (weekday) or a dated EXTRA/ABSENT override; return its id."""
        if kind is ShiftKind.REGULAR:
            if weekday is None or not 0 <= weekday <= 6 or on_date is not None:
                raise RotaError("a regular shift needs a weekday (0 = Monday ... 6 = Sunday)")
        elif on_date is None or weekday is not None:
            raise RotaError(f"an {kind.value} override needs a date")
        with self.db.session() as s:
            staff = s.get(Staff, staff_id)
            if staff is None or not staff.active:
                raise RotaError(f"no active member of staff with id {staff_id}")
            if s.get(Office, office_id) is None:
                raise RotaError(f"no office with id {office_id}")
            shift = RotaShift(
                staff_id=staff_id,
                office_id=office_id,
                kind=kind,
                weekday=weekday,
                on_date=on_date,
                starts=starts,
                ends=ends,
                note=(note or "").strip() or None,
            )
            s.add(shift)
            s.flush()
            audit.record(
                s,
                actor,
                "rota.shift_added",
                at=at,
                subject_type="rota_shift",
                subject_id=shift.id,
                staff_id=staff_id,
                office_id=office_id,
                kind=kind.value,
                weekday=weekday,
                on_date=on_date.isoformat() if on_date else None,
                starts=starts.isoformat(timespec="minutes"),
                ends=ends.isoformat(timespec="minutes"),
                note=shift.note,
            )
            return shift.id

    def remove_shift(self, actor: Actor, shift_id: int, *, at: datetime) -> None:
        with self.db.session() as s:
            shift = s.get(RotaShift, shift_id)
            if shift is None:
                raise RotaError(f"no rota shift with id {shift_id}")
            audit.record(
                s,
                actor,
                "rota.shift_removed",
                at=at,
                subject_type="rota_shift",
                subject_id=shift_id,
                staff_id=shift.staff_id,
                kind=shift.kind.value,
                weekday=shift.weekday,
                on_date=shift.on_date.isoformat() if shift.on_date else None,
            )
            s.delete(shift)

    def shifts(self, office_id: int, *, from_date: date | None = None) -> list[ShiftView]:
        """Regular shifts by weekday and time, then overrides (from ``from_date`` on) by date."""
        with self.db.session() as s:
            query = (
                select(RotaShift, Staff.name)
                .join(Staff, Staff.id == RotaShift.staff_id)
                .where(RotaShift.office_id == office_id)
            )
            if from_date is not None:
                query = query.where(
                    (RotaShift.on_date.is_(None)) | (RotaShift.on_date >= from_date)
                )
            rows = [
                ShiftView(
                    r.id, r.staff_id, name, r.kind, r.weekday, r.on_date, r.starts, r.ends, r.note
                )
                for r, name in s.execute(query)
            ]
        return sorted(
            rows,
            key=lambda v: (
                v.kind is not ShiftKind.REGULAR,
                v.weekday if v.weekday is not None else -1,
                v.on_date or date.min,
                v.starts,
                v.name,
            ),
        )

    # --- reading it ---------------------------------------------------------------------------

    def on_duty(self, office_id: int, now: datetime) -> list[OnDuty]:
        """Responders on duty at ``now`` for the office (absences removed, extras added)."""
        with self.db.session() as s:
            office = s.get(Office, office_id)
            if office is None:
                raise ValueError(f"no office with id {office_id}")
            rows: Sequence[RotaShift] = s.scalars(
                select(RotaShift).where(RotaShift.office_id == office_id)
            ).all()
            rules = [
                ShiftRule(r.staff_id, r.kind, r.weekday, r.on_date, r.starts, r.ends) for r in rows
            ]
            until = on_duty_until(rules, now, ZoneInfo(office.time_zone))
            if not until:
                return []
            staff = s.scalars(
                select(Staff)
                .where(Staff.id.in_(until), Staff.active.is_(True))
                .order_by(Staff.name)
            ).all()
            return [OnDuty(staff_id=m.id, name=m.name, until=until[m.id]) for m in staff]

    def nobody_on_duty(self, office_id: int, now: datetime) -> bool:
        """True when the rota has no one right now: every screen shows a warning."""
        return not self.on_duty(office_id, now)

    def alert_level(
        self,
        office_id: int,
        now: datetime,
        *,
        staff_id: int | None,
        escalated: bool = False,
    ) -> AlertLevel:
        """Full screen for responders on duty, for everyone once escalated or with nobody on duty."""
        if escalated:
            return AlertLevel.FULL_SCREEN
        on_duty = self.on_duty(office_id, now)
        if not on_duty:
            return AlertLevel.FULL_SCREEN
        if staff_id is not None and any(d.staff_id == staff_id for d in on_duty):
            return AlertLevel.FULL_SCREEN
        return AlertLevel.NOTICE

    def announce_cover(self, office_id: int, now: datetime) -> bool | None:
        """Publish NoRespondersOnDuty / RespondersOnDuty when the office's cover changes.

        Any PC may run it on a timer; it compares with the last cover event on the bus, so a
        change is announced once. Returns the new state if it changed (True: covered), else None.
        """
        if self.bus is None:
            raise RuntimeError("RotaService was built without a bus")
        on_duty = self.on_duty(office_id, now)
        covered = bool(on_duty)
        kinds = (NoRespondersOnDuty.KIND, RespondersOnDuty.KIND)
        last_cover = (
            select(BusEvent.kind)
            .where(BusEvent.office_id == office_id, BusEvent.kind.in_(kinds))
            .order_by(desc(BusEvent.id))
            .limit(1)
        )
        # Every PC runs this on a timer: look first, lock only when the cover really changed.
        with self.db.session() as s:
            if (s.scalar(last_cover) != NoRespondersOnDuty.KIND) == covered:
                return None
        with self.db.session() as s:
            # One announcer at a time: PostgreSQL takes an advisory lock for the office (a row
            # lock would need UPDATE on offices, which no PC's login has, and would hold up the
            # office's presses), SQLite takes its write lock.
            if self.db.is_postgresql:
                s.execute(
                    text("SELECT pg_advisory_xact_lock(:ns, :office)"),
                    {"ns": _COVER_LOCK_NAMESPACE, "office": office_id},
                )
            take_sqlite_write_lock(s)
            last_kind = s.scalar(last_cover)
            was_covered = last_kind != NoRespondersOnDuty.KIND
            if covered == was_covered:
                return None
            if covered:
                event: NoRespondersOnDuty | RespondersOnDuty = RespondersOnDuty(
                    office_id=office_id, at=now, staff_ids=tuple(d.staff_id for d in on_duty)
                )
            else:
                event = NoRespondersOnDuty(office_id=office_id, at=now)
            audit.record(
                s,
                Actor.system(),
                "rota.cover_changed",
                at=now,
                subject_type="office",
                subject_id=office_id,
                covered=covered,
            )
            self.bus.publish(s, event, at=now)
            return covered
