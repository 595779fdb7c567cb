"""``MovementsDesk``: the one object the diary's screens and commands call.

Each method is one transaction (the change, its audit entry and its bus event commit together),
with the time from the injected clock. The rules live in the modules beside this one.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TextIO, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from safedesk.alarm_bus import AlarmBus
from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import Office, Staff
from safedesk.models.movements import CheckInMethod, OverdueAlert
from safedesk.services.alarms.incidents import IncidentService
from safedesk.services.alarms.rota import AlertLevel, RotaService
from safedesk.services.movements import (
    check_in,
    entries,
    figures,
    follow_up,
    overdue_actions,
    overdue_alerts,
    pairs_rule,
    records,
)
from safedesk.services.movements.entries import BoardRow, VisitForm
from safedesk.services.movements.marker_check import MarkerCheck, check_visit
from safedesk.services.movements.overdue_audience import overdue_level
from safedesk.services.movements.overdue_rules import OfficeHours, Timers
from safedesk.services.movements.overdue_view import OverdueView, build_view
from safedesk.services.reception.room_choice import ManagerOverride
from safedesk.services.shared.actor import Actor
from safedesk.services.shared.office_time import local_date
from safedesk.services.shared.refusals import NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class StaffChoice:
    staff_id: int
    name: str
    job_title: str


@dataclass(frozen=True)
class OverdueRecord:
    """One OVERDUE event in the follow-up list (like an incident row)."""

    view: OverdueView
    status: str
    debriefed_at: datetime | None
    follow_up_notes: str | None


class MovementsDesk:
    def __init__(
        self, db: Database, bus: AlarmBus, clock: Clock, config: Config, workstation: str
    ) -> None:
        self.db = db
        self.bus = bus
        self.clock = clock
        self.config = config
        self.workstation = workstation
        self.timers = Timers.from_config(config.movements)
        self.rota = RotaService(db)
        self._zones: dict[int, str] = {}

    # --- the office's hours ---------------------------------------------------------------------

    def _all_hours(self, s: Session) -> dict[int, OfficeHours]:
        if not self._zones:
            self._zones = dict(s.execute(select(Office.id, Office.time_zone)).all())
        return {
            office_id: OfficeHours.from_config(self.config.movements, zone)
            for office_id, zone in self._zones.items()
        }

    def hours(self, office_id: int) -> OfficeHours:
        with self.db.session() as s:
            found = self._all_hours(s).get(office_id)
            if found is None:
                self._zones = {}
                found = self._all_hours(s).get(office_id)
        if found is None:
            raise NotFound(f"no office with id {office_id}")
        return found

    def _in(self, work: Callable[[Session, datetime], T]) -> T:
        now = self.clock.now()
        with self.db.session() as s:
            return work(s, now)

    # --- choosing people ------------------------------------------------------------------------

    def staff_choices(self, office_id: int) -> builtins.list[StaffChoice]:
        """Active staff, this office's first, for the officer and second-officer lists."""
        with self.db.session() as s:
            staff = s.scalars(select(Staff).where(Staff.active).order_by(Staff.name)).all()
            ordered = sorted(staff, key=lambda m: (m.home_office_id != office_id, m.name))
            return [StaffChoice(m.id, m.name, m.job_title or "") for m in ordered]

    # --- before leaving -------------------------------------------------------------------------

    def check(
        self,
        *,
        address: str,
        postcode: str = "",
        person_id: int | None = None,
        person_name: str = "",
    ) -> MarkerCheck:
        """Everyone at the address and the person being seen, with their marker instructions."""
        return self._in(
            lambda s, now: check_visit(
                s,
                address=address,
                postcode=postcode or None,
                person_id=person_id,
                person_name=person_name,
                today=local_date(now, "Europe/London"),
            )
        )

    def authorise_lone_visit(self, login: str, password: str, reason: str) -> ManagerOverride:
        with self.db.session() as s:
            return pairs_rule.authorise_lone_visit(s, login, password, reason)

    def log_visit(self, actor: Actor, form: VisitForm) -> int:
        """Check the address again and save the entry (refusals say what is missing)."""

        def work(s: Session, now: datetime) -> int:
            check = check_visit(
                s,
                address=form.address,
                postcode=form.postcode or None,
                person_id=form.person_id,
                person_name=form.person_name,
                today=local_date(now, "Europe/London"),
            )
            movement = entries.log_visit(s, actor, form, check, now=now)
            check_in.announce(s, self.bus, movement, "logged", now=now)
            return movement.id

        return self._in(work)

    # --- the board ------------------------------------------------------------------------------

    def board(self, office_id: int) -> builtins.list[BoardRow]:
        hours = self.hours(office_id)
        return self._in(
            lambda s, now: entries.board(s, office_id, now=now, hours=hours, timers=self.timers)
        )

    def open_entry_id(self, staff_id: int) -> int | None:
        with self.db.session() as s:
            found = entries.open_entry_for(s, staff_id)
            return found.id if found is not None else None

    # --- reporting back ------------------------------------------------------------------------

    def back(
        self,
        actor: Actor,
        movement_id: int | None = None,
        *,
        method: CheckInMethod = CheckInMethod.OWN_PC,
        note: str = "",
    ) -> int:
        """Report back; without an id, the actor's own open entry. Returns the entry's id."""

        def work(s: Session, now: datetime) -> int:
            if movement_id is None:
                if actor.staff_id is None:
                    raise check_in.CheckInRefused("sign in first")
                mine = entries.open_entry_for(s, actor.staff_id)
                if mine is None:
                    raise check_in.CheckInRefused("you are not out on a visit in the diary")
                movement = check_in.open_movement(s, mine.id, lock=True)
            else:
                movement = check_in.open_movement(s, movement_id, lock=True)
            check_in.report_back(s, self.bus, actor, movement, method, now=now, note=note)
            return movement.id

        return self._in(work)

    def back_on_sign_in(self, actor: Actor) -> int | None:
        """Signing in on an office PC is reporting back; returns the entry closed, if any."""
        if actor.staff_id is None:
            return None
        staff_id = actor.staff_id

        def work(s: Session, now: datetime) -> int | None:
            mine = entries.open_entry_for(s, staff_id)
            if mine is None or mine.leaving_at > now:
                return None
            movement = check_in.open_movement(s, mine.id, lock=True)
            check_in.report_back(s, self.bus, actor, movement, CheckInMethod.SIGNED_IN, now=now)
            return movement.id

        return self._in(work)

    def phoned_in(self, actor: Actor, movement_id: int, note: str = "") -> None:
        """Reception took the call: "phoned in: safe" (who took it and when are recorded)."""
        self.back(actor, movement_id, method=CheckInMethod.PHONED, note=note)

    def extend(self, actor: Actor, movement_id: int, new_back: datetime, note: str = "") -> None:
        def work(s: Session, now: datetime) -> None:
            movement = check_in.open_movement(s, movement_id, lock=True)
            check_in.extend(s, self.bus, actor, movement, new_back, now=now, note=note)

        self._in(work)

    def going_in(self, actor: Actor, movement_id: int) -> None:
        def work(s: Session, now: datetime) -> None:
            movement = check_in.open_movement(s, movement_id, lock=True)
            check_in.going_in(s, self.bus, actor, movement, now=now)

        self._in(work)

    def came_out(self, actor: Actor, movement_id: int) -> None:
        def work(s: Session, now: datetime) -> None:
            movement = check_in.open_movement(s, movement_id, lock=True)
            check_in.came_out(s, self.bus, actor, movement, now=now)

        self._in(work)

    def cancel(self, actor: Actor, movement_id: int, reason: str) -> None:
        def work(s: Session, now: datetime) -> None:
            movement = check_in.open_movement(s, movement_id, lock=True)
            check_in.cancel(s, self.bus, actor, movement, reason, now=now)

        self._in(work)

    # --- OVERDUE --------------------------------------------------------------------------------

    def check_due(
        self, office_id: int | None = None
    ) -> tuple[builtins.list[int], builtins.list[overdue_alerts.Escalation]]:
        """Raise alerts for entries past a deadline, escalate untaken ones (any PC, on a timer)."""
        now = self.clock.now()
        with self.db.session() as s:
            hours_for = self._all_hours(s)
        raised = overdue_alerts.raise_due(
            self.db,
            self.bus,
            now=now,
            hours_for=hours_for,
            timers=self.timers,
            workstation=self.workstation,
            office_id=office_id,
        )
        escalated = overdue_alerts.escalate_due(
            self.db,
            self.bus,
            now=now,
            after_s=self.config.alarm.escalate_after_s,
            workstation=self.workstation,
        )
        return raised, escalated

    def overdue(self, overdue_id: int) -> OverdueView:
        with self.db.session() as s:
            alert = s.get(OverdueAlert, overdue_id)
            if alert is None:
                raise NotFound(f"no OVERDUE alert {overdue_id}")
            return build_view(s, alert)

    def open_overdue(self, office_id: int) -> builtins.list[OverdueView]:
        with self.db.session() as s:
            alerts = s.scalars(
                select(OverdueAlert)
                .where(OverdueAlert.office_id == office_id, OverdueAlert.resolved_at.is_(None))
                .order_by(OverdueAlert.id)
            ).all()
            return [build_view(s, a) for a in alerts]

    def level_for(self, view: OverdueView, staff_id: int | None) -> AlertLevel:
        """Which alert the person signed in at a PC gets: the panic alarm's rota rule."""
        now = self.clock.now()
        on_duty = {d.staff_id for d in self.rota.on_duty(view.office_id, now)}
        with self.db.session() as s:
            staff = s.get(Staff, staff_id) if staff_id is not None else None
            roles = staff.role_set if staff is not None else frozenset()
        return overdue_level(
            view,
            staff_id=staff_id,
            roles=roles,
            on_duty_ids=on_duty,
            hours=self.hours(view.office_id),
        )

    def take(self, actor: Actor, overdue_id: int) -> OverdueView:
        self._in(lambda s, now: overdue_actions.take(s, self.bus, actor, overdue_id, now=now))
        return self.overdue(overdue_id)

    def police_called(self, actor: Actor, overdue_id: int) -> OverdueView:
        self._in(
            lambda s, now: overdue_actions.police_called(s, self.bus, actor, overdue_id, now=now)
        )
        return self.overdue(overdue_id)

    def phoned_safe(self, actor: Actor, overdue_id: int, note: str = "") -> OverdueView:
        self._in(
            lambda s, now: overdue_actions.phoned_safe(
                s, self.bus, actor, overdue_id, note, now=now
            )
        )
        return self.overdue(overdue_id)

    def extended(
        self, actor: Actor, overdue_id: int, new_back: datetime, note: str = ""
    ) -> OverdueView:
        self._in(
            lambda s, now: overdue_actions.extended(
                s, self.bus, actor, overdue_id, new_back, note, now=now
            )
        )
        return self.overdue(overdue_id)

    # --- records --------------------------------------------------------------------------------

    def history(
        self, actor: Actor, filters: records.HistoryFilter
    ) -> builtins.list[records.HistoryRow]:
        return self._in(lambda s, now: records.history(s, actor, filters, now=now))

    def export_csv(self, actor: Actor, out: TextIO, filters: records.HistoryFilter) -> int:
        return self._in(lambda s, now: records.export_csv(s, actor, out, filters, now=now))

    def figures(
        self, year: int, office_id: int | None = None
    ) -> builtins.list[figures.OverdueMonth]:
        """Overdue events per month with the month's panic-alarm incidents beside them."""
        with self.db.session() as s:
            months = figures.monthly_figures(s, year, office_id=office_id)
        incidents = IncidentService(self.db, self.clock).monthly_figures(year, office_id)
        totals = {(f.month, f.office): f.total for f in incidents}
        return [replace(m, incidents=totals.get((m.month, m.office), 0)) for m in months]

    def overdue_records(self, office_id: int | None = None) -> builtins.list[OverdueRecord]:
        with self.db.session() as s:
            query = select(OverdueAlert).order_by(OverdueAlert.raised_at.desc())
            if office_id is not None:
                query = query.where(OverdueAlert.office_id == office_id)
            return [
                OverdueRecord(
                    build_view(s, a),
                    follow_up.status_of(a).value,
                    a.debriefed_at,
                    a.follow_up_notes,
                )
                for a in s.scalars(query)
            ]

    def record_debrief(self, actor: Actor, overdue_id: int, notes: str) -> None:
        self._in(lambda s, now: follow_up.record_debrief(s, actor, overdue_id, notes, now=now))

    def record_follow_up(self, actor: Actor, overdue_id: int, notes: str) -> None:
        self._in(lambda s, now: follow_up.record_follow_up(s, actor, overdue_id, notes, now=now))

    # --- the two-person flag --------------------------------------------------------------------

    def pairs_candidates(
        self, include_flagged: bool = False
    ) -> builtins.list[pairs_rule.PairsCandidate]:
        with self.db.session() as s:
            return pairs_rule.pairs_candidates(s, include_flagged=include_flagged)

    def set_visits_in_pairs(self, actor: Actor, marker_id: int, value: bool) -> None:
        self._in(lambda s, now: pairs_rule.set_visits_in_pairs(s, actor, marker_id, value, now=now))
