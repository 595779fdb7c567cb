"""Incident records for managers: the list with filters, debrief and follow-up (seed 004), CSV.

An incident is a non-test alarm. Seed 004: after any incident the manager debriefs the member
of staff and records the follow-up taken; until both are recorded it is awaiting follow-up.
The record lists the screens that showed the alarm, when, and with or without sound
(``alarm_deliveries``).
"""

from __future__ import annotations

import builtins
import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import Session, aliased

from safedesk.clock import Clock
from safedesk.db import Database
from safedesk.models import (
    AlarmEvent,
    AlarmOutcome,
    AlarmResponse,
    Office,
    Role,
    Room,
    Staff,
    Visit,
)
from safedesk.services.alarms.alarm_deliveries import Delivery, deliveries_of
from safedesk.services.shared import audit
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.csv_export import SafeCsvWriter, formula_safe
from safedesk.services.shared.office_time import local_midnight_utc

# Who may record a debrief or follow-up: line managers and above (seed 004: "the manager").
MANAGER_ROLES = frozenset(
    {
        Role.MANAGER,
        Role.SENIOR_MANAGER,
        Role.ADMIN,
        Role.ASB_MANAGER,
        Role.COMPLEX_NEEDS_MANAGER,
        Role.PERSONNEL_MANAGER,
        Role.SERVICE_MANAGER,
        Role.HEAD_OF_SERVICE,
        Role.AREA_HOUSING_MANAGER,
        Role.HOUSING_SERVICES_MANAGER,
        Role.HEAD_OF_HOUSING_MANAGEMENT,
    }
)

CSV_COLUMNS = (
    "incident",
    "office",
    "room",
    "raised_at",
    "acknowledged_at",
    "acknowledged_by",
    "escalated",
    "resolved_at",
    "resolved_by",
    "outcome",
    "notes",
    "visitor",
    "responders",
    "shown_on",
    "debriefed_at",
    "debriefed_by",
    "follow_up",
    "status",
)


class IncidentStatus(enum.StrEnum):
    OPEN = "open"  # alarm not yet resolved
    AWAITING_DEBRIEF = "awaiting_debrief"  # resolved; no debrief recorded
    AWAITING_FOLLOW_UP = "awaiting_follow_up"  # debriefed; follow-up action not yet recorded
    CLOSED = "closed"  # resolved, debriefed, follow-up recorded


@dataclass(frozen=True)
class IncidentFilter:
    office_id: int | None = None
    date_from: date | None = None  # raised on or after this local date (London)
    date_to: date | None = None  # raised on or before this local date (London)
    outcome: AlarmOutcome | None = None
    status: IncidentStatus | None = None
    # "Open incidents": unresolved, or awaiting debrief, or awaiting follow-up.
    needs_action: bool = False


@dataclass(frozen=True)
class IncidentRow:
    alarm_id: int
    office: str
    room: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    escalated: bool
    resolved_at: datetime | None
    resolved_by: str | None
    outcome: AlarmOutcome | None
    notes: str | None
    visitor: str | None
    responders: tuple[str, ...]
    shown_on: tuple[Delivery, ...]  # every screen that showed it, first shown first
    debriefed_at: datetime | None
    debriefed_by: str | None
    follow_up_notes: str | None
    status: IncidentStatus


@dataclass(frozen=True)
class MonthFigures:
    """Seed 004: the number and type of incidents, reported to leadership monthly."""

    month: str  # YYYY-MM (local)
    office: str
    total: int
    by_outcome: dict[str, int]  # outcome value (or "open") -> count
    escalated: int  # nobody acknowledged in time
    awaiting_follow_up: int  # not yet debriefed and followed up


class IncidentError(Exception):
    """A refused incident action (unknown incident, still open, empty notes, not a manager)."""


def status_of(alarm: AlarmEvent) -> IncidentStatus:
    if alarm.resolved_at is None:
        return IncidentStatus.OPEN
    if alarm.debriefed_at is None:
        return IncidentStatus.AWAITING_DEBRIEF
    if not alarm.follow_up_notes:
        return IncidentStatus.AWAITING_FOLLOW_UP
    return IncidentStatus.CLOSED


def _status_condition(status: IncidentStatus) -> ColumnElement[bool]:
    resolved = AlarmEvent.resolved_at.is_not(None)
    no_follow_up = or_(AlarmEvent.follow_up_notes.is_(None), AlarmEvent.follow_up_notes == "")
    if status is IncidentStatus.OPEN:
        return AlarmEvent.resolved_at.is_(None)
    if status is IncidentStatus.AWAITING_DEBRIEF:
        return and_(resolved, AlarmEvent.debriefed_at.is_(None))
    if status is IncidentStatus.AWAITING_FOLLOW_UP:
        return and_(resolved, AlarmEvent.debriefed_at.is_not(None), no_follow_up)
    return and_(resolved, AlarmEvent.debriefed_at.is_not(None), ~no_follow_up)


class IncidentService:
    def __init__(self, db: Database, clock: Clock, time_zone: str = "Europe/London") -> None:
        self.db = db
        self.clock = clock
        self.time_zone = time_zone

    def _query(self, filters: IncidentFilter) -> Select[AlarmEvent]:
        query = select(AlarmEvent).where(AlarmEvent.is_test.is_(False))
        if filters.office_id is not None:
            query = query.where(AlarmEvent.office_id == filters.office_id)
        if filters.date_from is not None:
            query = query.where(
                AlarmEvent.raised_at >= local_midnight_utc(filters.date_from, self.time_zone)
            )
        if filters.date_to is not None:
            end = local_midnight_utc(filters.date_to + timedelta(days=1), self.time_zone)
            query = query.where(AlarmEvent.raised_at < end)
        if filters.outcome is not None:
            query = query.where(AlarmEvent.outcome == filters.outcome)
        if filters.status is not None:
            query = query.where(_status_condition(filters.status))
        if filters.needs_action:
            query = query.where(
                or_(
                    _status_condition(IncidentStatus.OPEN),
                    _status_condition(IncidentStatus.AWAITING_DEBRIEF),
                    _status_condition(IncidentStatus.AWAITING_FOLLOW_UP),
                )
            )
        return query.order_by(AlarmEvent.raised_at.desc(), AlarmEvent.id.desc())

    def list(self, filters: IncidentFilter | None = None) -> list[IncidentRow]:
        """Incidents newest first, filtered."""
        filters = filters or IncidentFilter()
        with self.db.session() as s:
            alarms = s.scalars(self._query(filters)).all()
            shown = deliveries_of(s, [a.id for a in alarms])
            return [self._row(s, a, shown.get(a.id, ())) for a in alarms]

    def _row(
        self, s: Session, alarm: AlarmEvent, shown_on: tuple[Delivery, ...] = ()
    ) -> IncidentRow:
        def name(staff_id: int | None) -> str | None:
            if staff_id is None:
                return None
            staff = s.get(Staff, staff_id)
            return staff.name if staff is not None else None

        office = s.get(Office, alarm.office_id) if alarm.office_id is not None else None
        room = s.get(Room, alarm.room_id) if alarm.room_id is not None else None
        visit = s.get(Visit, alarm.visit_id) if alarm.visit_id is not None else None
        responder = aliased(Staff)
        responders = s.scalars(
            select(responder.name)
            .join(AlarmResponse, AlarmResponse.staff_id == responder.id)
            .where(AlarmResponse.alarm_id == alarm.id)
            .order_by(AlarmResponse.at)
        ).all()
        return IncidentRow(
            alarm_id=alarm.id,
            office=office.name if office is not None else "Unknown location",
            room=room.name if room is not None else f"Unknown location ({alarm.device_id})",
            raised_at=alarm.raised_at,
            acknowledged_at=alarm.acknowledged_at,
            acknowledged_by=name(alarm.acknowledged_by_id),
            escalated=alarm.escalated_at is not None,
            resolved_at=alarm.resolved_at,
            resolved_by=name(alarm.resolved_by_id),
            outcome=alarm.outcome,
            notes=alarm.notes,
            visitor=visit.visitor_name if visit is not None else None,
            responders=tuple(responders),
            shown_on=shown_on,
            debriefed_at=alarm.debriefed_at,
            debriefed_by=name(alarm.debriefed_by_id),
            follow_up_notes=alarm.follow_up_notes,
            status=status_of(alarm),
        )

    def _manager_alarm(self, s: Session, alarm_id: int, actor: Actor) -> tuple[AlarmEvent, Staff]:
        staff = s.get(Staff, actor.staff_id) if actor.staff_id is not None else None
        if staff is None or not (staff.role_set & MANAGER_ROLES):
            raise IncidentError("only a manager can record a debrief or follow-up")
        alarm = s.get(AlarmEvent, alarm_id)
        if alarm is None or alarm.is_test:
            raise IncidentError(f"no incident {alarm_id}")
        if alarm.resolved_at is None:
            raise IncidentError(f"incident {alarm_id} is still open: resolve the alarm first")
        return alarm, staff

    def record_debrief(self, alarm_id: int, actor: Actor, notes: str) -> None:
        """Seed 004: the manager has debriefed the member of staff (audited)."""
        notes = (notes or "").strip()
        if not notes:
            raise IncidentError(
                "debrief notes are required (what happened, what support is needed)"
            )
        now = self.clock.now()
        with self.db.session() as s:
            alarm, staff = self._manager_alarm(s, alarm_id, actor)
            alarm.debriefed_at = now
            alarm.debriefed_by_id = staff.id
            audit.record(
                s,
                actor,
                "incident.debriefed",
                at=now,
                subject_type="alarm",
                subject_id=alarm_id,
                notes=notes,
            )

    def record_follow_up(self, alarm_id: int, actor: Actor, notes: str) -> None:
        """Seed 004: the follow-up action taken (letter, customer handling arrangement...).

        Appended with date and name, so earlier follow-up stays on the record.
        """
        notes = (notes or "").strip()
        if not notes:
            raise IncidentError("describe the follow-up action taken")
        now = self.clock.now()
        with self.db.session() as s:
            alarm, staff = self._manager_alarm(s, alarm_id, actor)
            entry = f"{now:%Y-%m-%d %H:%M} UTC, {staff.name}: {notes}"
            alarm.follow_up_notes = (
                f"{alarm.follow_up_notes}\n{entry}" if alarm.follow_up_notes else entry
            )
            audit.record(
                s,
                actor,
                "incident.follow_up",
                at=now,
                subject_type="alarm",
                subject_id=alarm_id,
                notes=notes,
            )

    def monthly_figures(
        self, year: int, office_id: int | None = None
    ) -> builtins.list[MonthFigures]:
        """Incidents per local month and office, by outcome, for the leadership report."""
        filters = IncidentFilter(
            office_id=office_id, date_from=date(year, 1, 1), date_to=date(year, 12, 31)
        )
        zone = ZoneInfo(self.time_zone)
        table: dict[tuple[str, str], builtins.list[IncidentRow]] = {}
        for row in self.list(filters):
            month = row.raised_at.astimezone(zone).strftime("%Y-%m")
            table.setdefault((month, row.office), []).append(row)
        figures = []
        for (month, office), rows in sorted(table.items()):
            outcomes: dict[str, int] = {}
            for r in rows:
                key = r.outcome.value if r.outcome else "open"
                outcomes[key] = outcomes.get(key, 0) + 1
            figures.append(
                MonthFigures(
                    month=month,
                    office=office,
                    total=len(rows),
                    by_outcome=outcomes,
                    escalated=sum(r.escalated for r in rows),
                    awaiting_follow_up=sum(r.status is not IncidentStatus.CLOSED for r in rows),
                )
            )
        return figures

    def export_csv(self, out: TextIO, filters: IncidentFilter | None = None) -> int:
        """Write the filtered incidents as CSV (header row, ISO times in UTC); return the count.

        Cells starting with = + - @ are prefixed with ' so a spreadsheet never runs them.
        """
        rows = self.list(filters)
        writer = SafeCsvWriter(out)
        writer.writerow(CSV_COLUMNS)
        for r in rows:
            writer.writerow(
                [
                    r.alarm_id,
                    _cell(r.office),
                    _cell(r.room),
                    _iso(r.raised_at),
                    _iso(r.acknowledged_at),
                    _cell(r.acknowledged_by),
                    "yes" if r.escalated else "no",
                    _iso(r.resolved_at),
                    _cell(r.resolved_by),
                    r.outcome.value if r.outcome else "",
                    _cell(r.notes),
                    _cell(r.visitor),
                    _cell("; ".join(r.responders)),
                    _cell("; ".join(d.detail(_iso(d.shown_at)) for d in r.shown_on)),
                    _iso(r.debriefed_at),
                    _cell(r.debriefed_by),
                    _cell(r.follow_up_notes),
                    r.status.value,
                ]
            )
        return len(rows)


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


def _cell(value: str | None) -> str:
    return formula_safe(value)  # the rule every export uses (safedesk.services.shared.csv_export)
