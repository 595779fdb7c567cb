"""The weekly test services with their own transactions: the one object widgets and CLI
commands hold."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from safedesk.clock import Clock
from safedesk.config import Config
from safedesk.db import Database
from safedesk.models import FailReason, Office, TestResult, Workstation
from safedesk.services.buttons.readiness import OfficeReadiness, office_readiness
from safedesk.services.shared.actor import Actor
from safedesk.services.weekly_test.checklist import Checklist, checklist
from safedesk.services.weekly_test.expiry import expire_windows
from safedesk.services.weekly_test.export import YearRecord, year_record
from safedesk.services.weekly_test.history import (
    TestRecord,
    current_year,
    tests_for_device,
    tests_for_week,
)
from safedesk.services.weekly_test.refusals import WeeklyTestRefused
from safedesk.services.weekly_test.results import record_result
from safedesk.services.weekly_test.screens import OfficeScreens, office_screens
from safedesk.services.weekly_test.starting import (
    StartAllOutcome,
    StartOutcome,
    start_all,
    start_test,
)


class WeeklyTestDesk:
    """The weekly test services with their own transactions, for widgets and CLI commands.

    Each call is one transaction; widgets hold this object and never open sessions themselves.
    """

    def __init__(self, db: Database, clock: Clock, config: Config) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    def offices(self) -> list[tuple[int, str]]:
        with self.db.session() as s:
            return [(o.id, o.name) for o in s.scalars(select(Office).order_by(Office.name))]

    def office_named(self, name: str) -> int | None:
        with self.db.session() as s:
            return s.scalar(select(Office.id).where(Office.name == name))

    def checklist(self, office_id: int) -> Checklist:
        with self.db.session() as s:
            return checklist(s, office_id, self.clock, self.config)

    def readiness(self, office_id: int) -> OfficeReadiness:
        with self.db.session() as s:
            return office_readiness(s, office_id, self.clock, self.config)

    def start(self, device_pk: int, actor: Actor) -> StartOutcome:
        with self.db.session() as s:
            return start_test(s, device_pk, actor, self.clock, self.config)

    def start_all(self, office_id: int, actor: Actor) -> StartAllOutcome:
        with self.db.session() as s:
            return start_all(s, office_id, actor, self.clock, self.config)

    def record(
        self,
        test_id: int,
        actor: Actor,
        *,
        heard_on_responder: bool | None,
        not_heard_screen: str | None = None,
        led_changed: bool = True,
        fail_reason: FailReason | None = None,
        notes: str | None = None,
    ) -> TestResult:
        with self.db.session() as s:
            test = record_result(
                s,
                test_id,
                actor,
                self.clock.now(),
                heard_on_responder=heard_on_responder,
                not_heard_screen=not_heard_screen,
                led_changed=led_changed,
                fail_reason=fail_reason,
                notes=notes,
            )
            return test.result

    def year_record(self, office_id: int, year: int | None = None) -> YearRecord:
        """The year's grid and tests (default: the year of this week's test day)."""
        with self.db.session() as s:
            office = s.get(Office, office_id)
            if office is None:
                raise WeeklyTestRefused(f"No office with id {office_id}")
            year = year or current_year(self.clock, office.time_zone, self.config)
            return year_record(s, office_id, year, self.clock, self.config)

    def current_year(self, office_id: int) -> int:
        """The year whose grid holds this week (early January can still be last year's)."""
        with self.db.session() as s:
            office = s.get(Office, office_id)
            if office is None:
                raise WeeklyTestRefused(f"No office with id {office_id}")
            return current_year(self.clock, office.time_zone, self.config)

    def week_history(self, office_id: int, week_start: date) -> list[TestRecord]:
        with self.db.session() as s:
            return tests_for_week(s, office_id, week_start, self.config.weekly_test)

    def device_history(self, device_pk: int) -> list[TestRecord]:
        with self.db.session() as s:
            return tests_for_device(s, device_pk, weekly=self.config.weekly_test)

    def screens(self, office_id: int, this_pc: str | None = None) -> OfficeScreens:
        """The office's running screens by sound, so the result form can say what it knows."""
        with self.db.session() as s:
            return office_screens(s, office_id, self.clock.now(), this_pc=this_pc)

    def responder_screens(self, office_id: int) -> list[str]:
        """Names of the office's PCs, offered when the tester names a screen that was silent."""
        with self.db.session() as s:
            return list(
                s.scalars(
                    select(Workstation.name)
                    .where(Workstation.office_id == office_id)
                    .order_by(Workstation.name)
                )
            )

    def expire_windows(self) -> list[int]:
        with self.db.session() as s:
            return expire_windows(s, self.clock.now())
